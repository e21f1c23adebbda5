// dataplane, capture and keylog: what `qqgen run` puts on
// qqgen-dataplane's command line (dataplane/main.cpp lists the options).
#include <algorithm>
#include <array>

#include "control/profile/lcore_list.hpp"
#include "control/profile/profile_sections.hpp"

namespace qqgen::control {

namespace {

// EAL options that a profile field owns: given in `eal` they would fight it.
struct owned_option {
    std::string_view option;
    std::string_view field;
};
constexpr std::array<owned_option, 5> owned_eal_options{{
    {"-l", "dataplane.lcores"},
    {"--lcores", "dataplane.lcores"},
    {"-c", "dataplane.lcores"},
    {"--vdev", "dataplane.vdevs"},
    {"--", "nothing: the qqgen options come from the rest of the profile"},
}};

bool power_of_two(std::uint64_t v) noexcept {
    return v != 0 && (v & (v - 1)) == 0;
}

}  // namespace

std::string seconds_text(std::uint64_t ms) {
    std::string s = std::to_string(ms / 1000);
    if (const std::uint64_t frac = ms % 1000; frac != 0) {
        std::string f = std::to_string(1000 + frac).substr(1);  // three digits
        while (f.back() == '0') f.pop_back();
        s += "." + f;
    }
    return s;
}

void read_dataplane(yaml_section& root, run_profile& out) {
    yaml_section d = root.section("dataplane");

    std::string lcores = "0-1";
    d.text("lcores", lcores);
    if (const std::optional<unsigned> n = count_lcores(lcores); !n)
        d.error("lcores", "expected EAL lcore numbers and ranges such as \"0-1\" or \"0,2-3\", found '" + lcores + "'");
    else if (*n < 2)
        d.error("lcores",
                "expected at least 2 lcores (the lowest runs housekeeping, each other one a worker), found '" + lcores +
                    "'");
    else
        out.workers = *n - 1;
    out.eal_args = {"-l", lcores};

    std::vector<std::string> eal{"--in-memory", "--no-pci"};
    d.text_list("eal", eal);
    for (const std::string& a : eal)
        for (const owned_option& o : owned_eal_options)
            // "-l 0-1", "-l0-1", "--lcores=..." alike.
            if (a == o.option || (o.option.size() == 2 && o.option != "--" && a.starts_with(o.option)) ||
                (o.option.size() > 2 && a.starts_with(std::string(o.option) + "=")))
                d.error("eal", "'" + a + "' is set by " + std::string(o.field) + ", not by dataplane.eal");
    out.eal_args.insert(out.eal_args.end(), eal.begin(), eal.end());

    std::vector<std::string> vdevs;
    d.text_list("vdevs", vdevs);
    for (const std::string& v : vdevs) {
        out.eal_args.push_back("--vdev");
        out.eal_args.push_back(v);
    }

    std::string topology = "wire", client_port, server_port;
    d.choice("topology", topology, {"wire", "ports"});
    const bool have_client = d.text("client_port", client_port);
    const bool have_server = d.text("server_port", server_port);
    out.dataplane_args = {"--topology", topology};
    if (topology == "ports") {
        // Reported at `topology`, the line that asks for them.
        const YAML::Node at = d.get("topology").value_or(YAML::Node(YAML::NodeType::Undefined));
        if (!have_client)
            d.sink().add(at, d.path("client_port"),
                         "required with topology ports: the DPDK name of the client-side port (e.g. net_af_packet0, "
                         "or a PCI address)");
        if (!have_server)
            d.sink().add(at, d.path("server_port"),
                         "required with topology ports: the DPDK name of the server-side port (e.g. net_af_packet1)");
        out.dataplane_args.insert(out.dataplane_args.end(),
                                  {"--client-port", client_port, "--server-port", server_port});
    } else {
        // The wire topology makes its own ports; a port name here is a
        // profile written for another topology.
        if (have_client)
            d.error("client_port", "only for topology ports (topology is wire, which makes its own ports)");
        if (have_server)
            d.error("server_port", "only for topology ports (topology is wire, which makes its own ports)");
    }

    std::uint32_t mbufs = 16383, ring = 1024;
    d.integer("mbufs_per_worker", mbufs, 1024, 1u << 26);
    if (d.integer("wire_ring_size", ring, 2, 1u << 20) && !power_of_two(ring))
        d.error("wire_ring_size", "expected a power of two (rte_ring sizes are), found " + std::to_string(ring));
    std::uint64_t stop_grace_ms = 2000, link_timeout_ms = 5000;
    d.duration("stop_grace", stop_grace_ms, 0, 600'000);
    d.duration("link_timeout", link_timeout_ms, 0, 600'000);
    out.dataplane_args.insert(
        out.dataplane_args.end(),
        {"--mbufs-per-worker", std::to_string(mbufs), "--wire-ring-size", std::to_string(ring), "--stop-grace",
         seconds_text(stop_grace_ms), "--link-timeout", seconds_text(link_timeout_ms)});
}

void read_outputs(yaml_section& root, run_profile& out) {
    {
        yaml_section c = root.section("capture");
        std::string file = "capture.pcap", direction = "tx";
        std::uint32_t sample = 1;
        c.boolean("enabled", out.capture);
        if (c.text("file", file)) {
            // The file lands in the run directory, next to report.json.
            if (file.empty() || file.front() == '/' || file == ".." || file.starts_with("../") ||
                file.find("/../") != std::string::npos || file.ends_with("/.."))
                c.error("file",
                        "expected a file name inside the run directory (relative, no '..'), found '" + file + "'");
        }
        c.integer("sample", sample, 1);
        c.choice("direction", direction, {"tx", "rx", "both"});
        if (out.capture) {
            out.capture_file = file;
            out.dataplane_args.insert(
                out.dataplane_args.end(),
                {"--capture", file, "--capture-sample", std::to_string(sample), "--capture-direction", direction});
        }
    }
    root.boolean("keylog", out.keylog);
    out.load.keylog = out.keylog ? 1 : 0;
    if (out.keylog) out.dataplane_args.insert(out.dataplane_args.end(), {"--keylog", "keylog.txt"});
}

}  // namespace qqgen::control
