#include "control/profile/error_sink.hpp"

#include <algorithm>
#include <tuple>

namespace qqgen::control {

bool path_within(std::string_view path, std::string_view prefix) noexcept {
    if (!path.starts_with(prefix)) return false;
    if (path.size() == prefix.size() || prefix.empty()) return true;
    const char next = path[prefix.size()];
    return next == '.' || next == '[';
}

void error_sink::add(const YAML::Node& at, std::string path, std::string message) {
    add_at(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), std::move(path), std::move(message));
}

void error_sink::add_at(const YAML::Mark& mark, std::string path, std::string message) {
    // The last override that wrote the node wins, as it does in the tree.
    for (auto it = origins_.rbegin(); it != origins_.rend(); ++it)
        if (path_within(path, it->path)) {
            errors_.push_back({"--set " + it->text, 0, 0, std::move(path), std::move(message)});
            return;
        }
    const bool placed = !mark.is_null() && mark.line >= 0;
    errors_.push_back(
        {file_, placed ? mark.line + 1 : 0, placed ? mark.column + 1 : 0, std::move(path), std::move(message)});
}

std::vector<profile_error> error_sink::take() {
    std::stable_sort(errors_.begin(), errors_.end(), [this](const profile_error& a, const profile_error& b) {
        return std::tuple(a.file != file_, a.line, a.column) < std::tuple(b.file != file_, b.line, b.column);
    });
    return std::move(errors_);
}

}  // namespace qqgen::control
