#include "control/profile/did_you_mean.hpp"

#include <algorithm>
#include <vector>

namespace qqgen::control {

namespace {

char fold(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    return c == '-' ? '_' : c;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the dynamic-programming table are enough for OSA.
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = fold(a[i - 1]) == fold(b[j - 1]);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
                cur[j] = std::min(cur[j], before[j - 2] + 1);
        }
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    if (candidates.empty()) return {};
    const std::string* best = nullptr;
    std::size_t best_distance = 0;
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (best == nullptr || d < best_distance) {
            best = &c;
            best_distance = d;
        }
    }
    // A third of the longer name (2 edits at least, 1 for short names) still
    // reads as a typo; beyond that a suggestion would be a guess, so list the
    // choices instead.
    const std::size_t longest = std::max(word.size(), best->size());
    const std::size_t typo = longest <= 4 ? 1 : std::max<std::size_t>(2, longest / 3);
    if (best_distance <= typo) return "; did you mean '" + *best + "'?";
    std::string list = "; expected one of: ";
    for (std::size_t i = 0; i < candidates.size(); ++i) list += (i ? ", " : "") + candidates[i];
    return list;
}

}  // namespace qqgen::control
