// qqgen: the control CLI. `qqgen COMMAND [options]`; each command has --help.
#include <cstdio>
#include <exception>
#include <string_view>

#include "control/commands.hpp"

namespace {

void print_usage(std::FILE* to) {
    std::fputs(
        "usage: qqgen COMMAND [options]\n"
        "\n"
        "qqgen emulates Tencent QQ users: DNS look-up of the login servers, a login that is\n"
        "deferred and redirected, status and buddy-list sync, chats, keep-alives, logout.\n"
        "\n"
        "commands:\n"
        "  run        run a QQ load from a YAML profile: starts the dataplane, shows progress,\n"
        "             writes report.json, report.html (qqgen run configs/quickstart.yaml)\n"
        "  validate   check a profile (the messages `apply` would give), change nothing\n"
        "  apply      hand a profile to a running dataplane (live rate and phase changes)\n"
        "  stats      a running dataplane's counters (once, --watch or --json)\n"
        "  stop       stop a running dataplane: every user logs out (--now: at once)\n"
        "  report     report.json, report.html, timeseries.csv of a running dataplane, now\n"
        "  sample     write complete QQ-over-UDP user sessions to a pcap (no DPDK needed)\n"
        "  help       this text\n"
        "\n"
        "`qqgen COMMAND --help` lists the options of a command.\n",
        to);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    std::string_view command = argv[1];
    try {
        if (command == "sample") return qqgen::control::sample_command(argc - 1, argv + 1);
        if (command == "run") return qqgen::control::run_command(argc - 1, argv + 1);
        if (command == "validate") return qqgen::control::validate_command(argc - 1, argv + 1);
        if (command == "apply") return qqgen::control::apply_command(argc - 1, argv + 1);
        if (command == "stats") return qqgen::control::stats_command(argc - 1, argv + 1);
        if (command == "stop") return qqgen::control::stop_command(argc - 1, argv + 1);
        if (command == "report") return qqgen::control::report_command(argc - 1, argv + 1);
        if (command == "help" || command == "--help" || command == "-h") {
            print_usage(stdout);
            return 0;
        }
        std::fprintf(stderr, "qqgen: unknown command '%s'\n\n", argv[1]);
        print_usage(stderr);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "qqgen %s: %s\n", argv[1], e.what());
        return 1;
    }
}
