// Feeds untrusted text to the profile loader: a YAML profile, then after a
// NUL byte optional --set overrides, one a line. The loader must never throw
// or crash; a refusal must locate and explain each error; a profile that
// loads must pass the engine's own check and load again, to the same
// settings, from the YAML it re-emits.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "control/profile/profile_loader.hpp"

using namespace qqgen::control;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = in.find('\0');
    const std::string_view yaml = in.substr(0, nul);
    std::vector<std::string> overrides;
    if (nul != std::string_view::npos) {
        std::string_view rest = in.substr(nul + 1);
        while (!rest.empty() && overrides.size() < 8) {
            const std::size_t nl = rest.find('\n');
            overrides.emplace_back(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
    }
    const auto r = parse_profile(yaml, "fuzz.yaml", overrides);
    if (const auto* errors = std::get_if<std::vector<profile_error>>(&r)) {
        check(!errors->empty());
        for (const profile_error& e : *errors) {
            check(!e.message.empty());
            check(e.line >= 0 && e.column >= 0 && (e.line == 0) == (e.column == 0));
            check(!e.to_string().empty());
        }
        return 0;
    }
    const run_profile& p = std::get<run_profile>(r);
    check(p.workers >= 1);
    check(p.load.validate_for_workers(p.workers).empty());
    const auto again = parse_profile(p.applied_yaml, "fuzz.yaml");
    check(std::holds_alternative<run_profile>(again));
    const run_profile& q = std::get<run_profile>(again);
    // load_settings is trivially copyable with explicit padding, all of it
    // initialised: the same profile gives the same bytes.
    check(std::memcmp(&p.load, &q.load, sizeof p.load) == 0);
    check(p.eal_args == q.eal_args && p.dataplane_args == q.dataplane_args && p.workers == q.workers);
    return 0;
}
