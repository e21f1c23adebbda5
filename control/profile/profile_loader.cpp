#include "control/profile/profile_loader.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "control/profile/error_sink.hpp"
#include "control/profile/profile_overrides.hpp"
#include "control/profile/profile_sections.hpp"
#include "control/profile/utf8_text.hpp"

namespace qqgen::control {

namespace {

// A profile is a few dozen lines; anything this large is the wrong file.
constexpr std::uintmax_t max_profile_bytes = 1 << 20;

std::vector<profile_error> one_error(std::string_view file, std::string message, int line = 0, int column = 0) {
    return {profile_error{std::string(file), line, column, {}, std::move(message)}};
}

std::string file_stem(std::string_view file) {
    return std::filesystem::path(file).stem().string();
}

// yaml-cpp's syntax messages say what the parser missed, not what the writer
// did; two mistakes explain most of them.
std::string syntax_hint(std::string_view yaml, const YAML::Mark& mark) {
    std::size_t start = 0;
    for (int line = 0; line < mark.line && start != std::string_view::npos; ++line) {
        start = yaml.find('\n', start);
        if (start != std::string_view::npos) ++start;
    }
    if (start != std::string_view::npos) {
        const std::string_view text = yaml.substr(start, yaml.find('\n', start) - start);
        if (text.find('\t') != std::string_view::npos) return " (YAML indents with spaces; this line has a tab)";
    }
    return " (check the indentation and the brackets of this line and the ones before)";
}

// Counts documents and keeps where the second one starts. yaml-cpp 0.7's
// LoadAll never returns on some inputs (on "{}," the parser yields empty
// documents forever), so the loader loads the first document with Load and
// asks the event parser only whether a second one follows.
struct document_counter final : YAML::EventHandler {
    int documents = 0;
    YAML::Mark second = YAML::Mark::null_mark();
    void OnDocumentStart(const YAML::Mark& m) override {
        if (++documents == 2) second = m;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// Where a second document starts, or a null mark when there is none.
YAML::Mark second_document(const std::string& yaml) {
    std::istringstream in(yaml);
    YAML::Parser parser(in);
    document_counter counter;
    if (parser.HandleNextDocument(counter) && parser.HandleNextDocument(counter) && counter.documents >= 2)
        return counter.second;
    return YAML::Mark::null_mark();
}

// Every section, in dependency order (see profile_sections.hpp).
run_profile read_profile(YAML::Node& root, std::string_view file, std::optional<unsigned> workers_override,
                         error_sink& sink) {
    run_profile p;
    p.name = file_stem(file);
    yaml_section top(sink, root, "");
    top.text("name", p.name);
    read_dataplane(top, p);
    if (workers_override) {
        if (*workers_override == 0)
            sink.add({sink.file(), 0, 0, "dataplane.lcores", "the running dataplane reports 0 workers"});
        else
            p.workers = *workers_override;
    }
    read_outputs(top, p);
    read_report(top, p);
    read_users_and_phases(top, p.workers, p);
    read_network(top, p.load);
    read_login(top, p.load);
    read_behaviour(top, p.load);
    read_transport(top, p.load);
    read_applications(top, p);
    return p;
}

profile_result parse_unguarded(std::string_view yaml, std::string_view file, const std::vector<std::string>& overrides,
                               std::optional<unsigned> workers_override) {
    if (const std::size_t bad = first_invalid_utf8(yaml); bad != std::string_view::npos) {
        const std::string_view before = yaml.substr(0, bad);
        const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
        int line = 1;
        for (char c : before) line += c == '\n';
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(yaml[bad])));
        return one_error(file,
                         std::string("the profile is not UTF-8 text: byte ") + hex +
                             " here is not valid UTF-8; save the file as UTF-8",
                         line, static_cast<int>(bad - line_start) + 1);
    }
    for (const std::string& o : overrides)
        if (first_invalid_utf8(o) != std::string_view::npos)
            return one_error("--set " + o, "the override is not UTF-8 text");
    const std::string text(yaml);
    YAML::Node root;
    YAML::Mark second = YAML::Mark::null_mark();
    try {
        root = YAML::Load(text);
        second = second_document(text);
    } catch (const YAML::Exception& e) {
        // yaml-cpp's marks are 0-based; a mark-less error has -1.
        const bool placed = !e.mark.is_null() && e.mark.line >= 0;
        return one_error(file, "YAML syntax error: " + e.msg + (placed ? syntax_hint(yaml, e.mark) : ""),
                         placed ? e.mark.line + 1 : 0, placed ? e.mark.column + 1 : 0);
    }
    if (!second.is_null())
        return one_error(file,
                         "a profile is one YAML document, and a second one starts here; remove the '---' separator "
                         "(or whatever follows the profile) or split the file",
                         second.line + 1, second.column + 1);
    if (!root.IsDefined() || root.IsNull())
        return one_error(file, "the profile is empty; start from configs/quickstart.yaml");
    error_sink sink{std::string(file)};
    if (!root.IsMap()) {
        sink.add(root, "", "a profile is a map of sections (name:, users:, phases: ...), found " + describe_node(root));
        return sink.take();
    }
    sink.set_origins(apply_overrides(root, overrides, sink));
    run_profile p = read_profile(root, file, workers_override, sink);
    // The engine's own check assumes values of the right types and ranges:
    // run it only on a profile that passed everything else.
    if (sink.empty()) check_with_engine(root, p, sink);
    if (!sink.empty()) return sink.take();
    YAML::Emitter out;
    out << root;
    p.applied_yaml = std::string(out.c_str()) + "\n";
    return p;
}

}  // namespace

profile_result parse_profile(std::string_view yaml, std::string_view file, const std::vector<std::string>& overrides,
                             std::optional<unsigned> workers_override) {
    // yaml-cpp throws from more places than the parser (conversions,
    // iterators, the emitter); none of it may escape, and nothing of ours
    // throws but std::bad_alloc.
    try {
        return parse_unguarded(yaml, file, overrides, workers_override);
    } catch (const YAML::Exception& e) {
        return one_error(file, std::string("cannot read the profile: ") + e.what());
    } catch (const std::exception& e) {
        return one_error(file, std::string("cannot read the profile: ") + e.what());
    }
}

profile_result load_profile(const std::string& path, const std::vector<std::string>& overrides,
                            std::optional<unsigned> workers_override) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status))
        return one_error(path, "no such profile (the shipped ones are in configs/, e.g. configs/quickstart.yaml)");
    if (std::filesystem::is_directory(status)) return one_error(path, "is a directory, not a profile");
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > max_profile_bytes)
        return one_error(path, "is " + std::to_string(size) + " bytes; a profile is at most 1 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) return one_error(path, std::string("cannot open the profile: ") + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return one_error(path, std::string("cannot read the profile: ") + std::strerror(errno));
    return parse_profile(text.str(), path, overrides, workers_override);
}

}  // namespace qqgen::control
