// The commands that talk to a dataplane already running (started by
// `qqgen run` or by qqgen-dataplane --shm): apply, stats, stop; and
// validate, which checks a profile exactly as apply would and touches
// nothing.
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "control/commands.hpp"
#include "control/profile/profile_loader.hpp"
#include "control/run/command_line.hpp"
#include "control/run/control_signals.hpp"
#include "control/report/counters_json.hpp"
#include "control/report/dataplane_totals.hpp"
#include "control/run/profile_publication.hpp"
#include "control/shm/shm_attach.hpp"

namespace qqgen::control {

namespace po = boost::program_options;
using namespace std::chrono_literals;

namespace {

void add_instance(po::options_description& opts, std::string& instance) {
    opts.add_options()("instance", po::value(&instance)->default_value("qqgen"),
                       "the dataplane instance (shared memory /dev/shm/qqgen.NAME)");
}

// Attaches or prints why not (exit code in `code`).
std::optional<shm_attachment> attach_or_say(const char* name, const std::string& instance, bool clean_stale,
                                            int& code) {
    attach_result r = shm_attachment::attach(instance, attach_options{clean_stale});
    if (!r.handle) {
        std::cerr << "qqgen " << name << ": " << r.message << "\n";
        code = 1;
        return std::nullopt;
    }
    return std::move(r.handle);
}

// Prints every error; true when there were none.
const run_profile* loaded_or_say(const char* name, const profile_result& r) {
    if (const auto* errors = std::get_if<std::vector<profile_error>>(&r)) {
        for (const auto& e : *errors) std::cerr << e.to_string() << "\n";
        std::cerr << "qqgen " << name << ": " << errors->size() << " error(s) in the profile\n";
        return nullptr;
    }
    return &std::get<run_profile>(r);
}

}  // namespace

int validate_command(int argc, char** argv) {
    std::string profile;
    std::vector<std::string> sets;
    unsigned workers = 0;
    po::options_description opts("usage: qqgen validate PROFILE [options]\n\n"
                                 "Checks a profile as `qqgen run` and `qqgen apply` would, and changes nothing.\n\n"
                                 "options");
    opts.add_options()("help,h", "this text")
        ("set", po::value(&sets)->composing(), "override a profile field: --set chat.messages_per_chat=5")
        ("workers", po::value(&workers)->default_value(0), "check for this many workers (0: the profile's lcores)");
    if (const int rc = parse_command_line("validate", argc, argv, opts, &profile); rc >= 0) return rc;
    const profile_result r =
        load_profile(profile, sets, workers == 0 ? std::nullopt : std::optional<unsigned>(workers));
    const run_profile* p = loaded_or_say("validate", r);
    if (p == nullptr) return 1;
    std::printf("%s: valid (%u worker(s), %u session slots and %u new users/s per worker", profile.c_str(),
                p->workers, p->load.users, p->load.new_user_rate);
    if (p->load.apps.any_enabled()) {
        std::uint64_t rate = 0;
        for (const auto& a : p->load.apps.apps) rate += a.session_rate;
        std::printf("; companions: %llu sessions/s and %u slots per worker",
                    static_cast<unsigned long long>(rate), p->load.apps.slots);
    }
    std::printf(")\n");
    return 0;
}

int apply_command(int argc, char** argv) {
    std::string profile, instance;
    std::vector<std::string> sets;
    double timeout_s = 5;
    po::options_description opts(
        "usage: qqgen apply PROFILE [options]\n\n"
        "Hands a profile to a running dataplane: rates, phases, concurrency target, delays and\n"
        "timeouts change live; fields that size the tables or make up the users' identities are\n"
        "refused (start a new run for those). Reports each worker's acknowledgement and its time.\n\n"
        "options");
    opts.add_options()("help,h", "this text")
        ("set", po::value(&sets)->composing(), "override a profile field: --set phases.steady.new_users_per_second=2000")
        ("timeout", po::value(&timeout_s)->default_value(timeout_s), "seconds to wait for every worker's answer");
    add_instance(opts, instance);
    if (const int rc = parse_command_line("apply", argc, argv, opts, &profile); rc >= 0) return rc;
    int code = 0;
    auto shm = attach_or_say("apply", instance, false, code);
    if (!shm) return code;
    const profile_result r = load_profile(profile, sets, shm->worker_count());
    const run_profile* p = loaded_or_say("apply", r);
    if (p == nullptr) return 1;
    const publication pub =
        publish_and_wait(*shm, *p, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::duration<double>(timeout_s)));
    return print_acks(stdout, pub) ? 0 : 1;
}

int stats_command(int argc, char** argv) {
    std::string instance;
    bool watch = false, json = false;
    double interval_s = 1;
    po::options_description opts("usage: qqgen stats [options]\n\n"
                                 "Reads a running dataplane's counters (every worker, summed).\n\noptions");
    opts.add_options()("help,h", "this text")
        ("watch,w", po::bool_switch(&watch), "a progress line every --interval until Ctrl-C or the dataplane ends")
        ("interval", po::value(&interval_s)->default_value(interval_s), "seconds between --watch lines")
        ("json", po::bool_switch(&json), "the counters as JSON (report.json's totals)");
    add_instance(opts, instance);
    if (const int rc = parse_command_line("stats", argc, argv, opts, nullptr); rc >= 0) return rc;
    int code = 0;
    auto shm = attach_or_say("stats", instance, false, code);
    if (!shm) return code;
    if (const liveness l = shm->dataplane_alive(1s); !l.alive) std::fprintf(stderr, "qqgen stats: %s\n", l.problem.c_str());
    const auto t0 = std::chrono::steady_clock::now();
    dataplane_totals before = read_totals(*shm);
    if (!watch) {
        if (json) {
            nlohmann::json workers = nlohmann::json::array();
            for (const auto& w : before.workers)
                workers.push_back({{"state", std::string(to_string(w.state))},
                                   {"phase", std::string(to_string(w.phase))},
                                   {"applied_generation", w.applied_generation},
                                   {"refused_generation", w.refused_generation},
                                   {"refusal", std::string(shm::field_text(w.refusal))},
                                   {"active_users", w.active_users},
                                   {"slots", w.slots}});
            std::printf("%s\n", nlohmann::json{{"dataplane_pid", shm->pid()},
                                               {"counters", to_json(before.engine)}, {"ports", to_json(before.io)},
                                               {"active_users", before.active_users}, {"slots", before.slots},
                                               {"phase", std::string(to_string(before.phase))},
                                               {"unreadable_workers", before.unreadable},
                                               {"workers", workers}}
                                    .dump(2)
                                    .c_str());
        } else {
            std::printf("dataplane pid %u, %u worker(s), phase %s, %llu active users of %llu slots\n", shm->pid(),
                        shm->worker_count(), std::string(to_string(before.phase)).c_str(),
                        static_cast<unsigned long long>(before.active_users),
                        static_cast<unsigned long long>(before.slots));
            engine::print_summary(stdout, before.engine);
        }
        return before.unreadable == 0 ? 0 : 1;
    }
    watch_stop_signals();
    while (stop_signals() == 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(interval_s));
        if (const liveness l = shm->dataplane_alive(1s); !l.alive) {
            std::fprintf(stderr, "qqgen stats: %s\n", l.problem.c_str());
            return 1;
        }
        const dataplane_totals now = read_totals(*shm);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s\n", progress_line(now, before, elapsed, 0).c_str());
        std::fflush(stdout);
        before = now;
    }
    return 0;
}

int stop_command(int argc, char** argv) {
    std::string instance;
    bool now = false, clean = false;
    double timeout_s = 30;
    po::options_description opts("usage: qqgen stop [options]\n\n"
                                 "Stops a running dataplane: every user logs out (graceful), or at once with --now.\n\n"
                                 "options");
    opts.add_options()("help,h", "this text")
        ("now", po::bool_switch(&now), "stop at once, without logging users out")
        ("clean", po::bool_switch(&clean), "remove the segment of a dataplane that no longer runs")
        ("timeout", po::value(&timeout_s)->default_value(timeout_s), "seconds to wait for the dataplane to end");
    add_instance(opts, instance);
    if (const int rc = parse_command_line("stop", argc, argv, opts, nullptr); rc >= 0) return rc;
    int code = 0;
    auto shm = attach_or_say("stop", instance, clean, code);
    if (!shm) return code;
    shm->send_command(now ? shm::command::stop_now : shm::command::stop);
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
        shm::shm_status st{};
        if (shm->read_status(st) && st.state == shm::dataplane_state::exited) {
            std::printf("dataplane pid %u stopped: %s\n", shm->pid(), std::string(shm::field_text(st.message)).c_str());
            return 0;
        }
        if (const liveness l = shm->dataplane_alive(2s); !l.alive) {
            std::printf("dataplane pid %u has ended (%s)\n", shm->pid(), l.problem.c_str());
            return 0;
        }
        std::this_thread::sleep_for(20ms);
    }
    std::fprintf(stderr, "qqgen stop: dataplane pid %u still runs after %.0f s\n", shm->pid(), timeout_s);
    return 1;
}

}  // namespace qqgen::control
