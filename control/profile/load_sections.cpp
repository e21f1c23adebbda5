// seed, users, phases and login: who runs, how many, how fast. A profile
// speaks in totals over all workers; load_settings is per worker, so totals
// are divided, rounding up (a 1000-user profile on 3 workers runs 3 x 334).
#include <cmath>
#include <limits>

#include "control/profile/duration.hpp"
#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

namespace {

constexpr std::uint64_t u32_max = std::numeric_limits<std::uint32_t>::max();
// Phases are whole ms in 32 bits in load_settings (49 days); 30 days is a
// round limit well inside, and beyond any soak test.
constexpr std::uint64_t max_phase_ms = 30ull * 86'400'000;

std::uint64_t per_worker(std::uint64_t total, unsigned workers) {
    return (total + workers - 1) / workers;
}

}  // namespace

void read_users_and_phases(yaml_section& root, unsigned workers, run_profile& out) {
    engine::load_settings& s = out.load;
    root.integer("seed", s.seed);

    yaml_section u = root.section("users");
    std::uint64_t concurrent = 100, total = 0;
    u.integer("concurrent", concurrent, 1, u32_max);
    u.integer("total", total);
    s.users = static_cast<std::uint32_t>(per_worker(concurrent, workers));
    s.total_sessions = per_worker(total, workers);
    {
        yaml_section q = u.section("qq_numbers");
        std::uint64_t first = s.qq_number_base;
        q.integer("first", first, 1, u32_max);
        s.qq_number_base = static_cast<std::uint32_t>(first);
        // Worker w's slot i is QQ number first + w x users + i, so rounding
        // up the per-worker share may need a few numbers beyond `concurrent`.
        const std::uint64_t needed = std::uint64_t{workers} * s.users;
        std::uint64_t count = needed;
        if (q.integer("count", count, 1, u32_max)) {
            if (count < needed)
                q.error("count", std::to_string(count) + " QQ numbers are fewer than the " + std::to_string(needed) +
                                     " users.concurrent needs (" + std::to_string(workers) + " workers x " +
                                     std::to_string(s.users) + " users); raise count or lower users.concurrent");
            else if (first + count - 1 > u32_max)
                q.error("count", "first + count - 1 = " + std::to_string(first + count - 1) +
                                     " passes 4294967295, the largest QQ number; lower first or count");
        }
    }
    u.integer("client_version", s.client_version);
    std::string dialect = "modern";
    u.choice("dialect", dialect, {"classic", "modern"});
    s.dialect = dialect == "classic" ? proto::dialect::classic : proto::dialect::modern;

    yaml_section p = root.section("phases");
    std::uint64_t ramp_up_ms = s.ramp_ms, steady_ms = 0, ramp_down_ms = 0;
    p.section("ramp_up").duration("duration", ramp_up_ms, 0, max_phase_ms);
    {
        yaml_section st = p.section("steady");
        st.duration("duration", steady_ms, 0, max_phase_ms);
        std::uint64_t rate = s.new_user_rate, target = 0;
        st.integer("new_users_per_second", rate, 1, u32_max);
        if (st.integer("concurrent_users", target, 0, u32_max) && target > concurrent)
            st.error("concurrent_users", std::to_string(target) + " is more than users.concurrent (" +
                                             std::to_string(concurrent) +
                                             ", the session slots); raise users.concurrent or lower this");
        s.new_user_rate = static_cast<std::uint32_t>(per_worker(rate, workers));
        s.concurrent_target = static_cast<std::uint32_t>(std::min(per_worker(target, workers), u32_max));
    }
    p.section("ramp_down").duration("duration", ramp_down_ms, 0, max_phase_ms);
    s.ramp_ms = static_cast<std::uint32_t>(ramp_up_ms);
    s.steady_ms = static_cast<std::uint32_t>(steady_ms);
    s.ramp_down_ms = static_cast<std::uint32_t>(ramp_down_ms);
    out.ramp_up_s = static_cast<double>(ramp_up_ms) / 1000.0;
    out.steady_s = static_cast<double>(steady_ms) / 1000.0;
    out.ramp_down_s = static_cast<double>(ramp_down_ms) / 1000.0;
}

void read_login(yaml_section& root, engine::load_settings& s) {
    yaml_section l = root.section("login");
    l.integer("port", s.login_server_port, 1);
    double redirect_percent = s.redirect_ppm / 10000.0;
    l.number("redirect_percent", redirect_percent, 0, 100);
    s.redirect_ppm = static_cast<std::uint32_t>(std::lround(redirect_percent * 10000.0));

    const std::optional<YAML::Node> servers = l.get("servers");
    if (!servers) return;
    if (!servers->IsSequence() || servers->size() == 0 || servers->size() > engine::max_login_servers) {
        l.error("servers",
                "expected a list of 1.." + std::to_string(engine::max_login_servers) +
                    " servers ({name: sz.tencent.com, address: 198.19.1.1}), found " +
                    (servers->IsSequence() ? "a list of " + std::to_string(servers->size()) : describe_node(*servers)));
        return;
    }
    const YAML::Node& list = *servers;
    for (std::size_t i = 0; i < list.size(); ++i) {
        yaml_section server(l.sink(), list[i], l.path("servers") + "[" + std::to_string(i) + "]");
        if (!list[i].IsMap()) continue;  // reported by the section
        std::string name;
        if (!server.text("name", name))
            server.error("name", "required: the DNS name clients look up, e.g. sz" +
                                     (i == 0 ? std::string() : std::to_string(i + 1)) + ".tencent.com");
        else if (!engine::set_login_server_name(s, i, name))
            server.error("name", "expected a DNS name of at most " +
                                     std::to_string(engine::login_server_name_size - 1) + " characters, found one of " +
                                     std::to_string(name.size()));
        if (!server.address("address", s.login_servers[i], s.ip_version))
            if (!server.get("address")) server.error("address", "required: the address the server answers on");
    }
    s.login_server_count = static_cast<std::uint8_t>(list.size());
}

}  // namespace qqgen::control
