#include "control/report/run_report.hpp"

#include <charconv>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "control/report/app_report.hpp"
#include "control/report/counters_json.hpp"

namespace qqgen::control {

using nlohmann::json;

namespace {

json scalar_to_json(const std::string& s) {
    if (s == "true" || s == "false") return s == "true";
    std::int64_t i = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i); ec == std::errc{} && p == s.data() + s.size())
        return i;
    double d = 0;
    if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d); ec == std::errc{} && p == s.data() + s.size())
        return d;
    return s;
}

json node_to_json(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        json j = json::object();
        for (const auto& kv : n) j[kv.first.as<std::string>()] = node_to_json(kv.second);
        return j;
    }
    case YAML::NodeType::Sequence: {
        json j = json::array();
        for (const auto& v : n) j.push_back(node_to_json(v));
        return j;
    }
    case YAML::NodeType::Scalar: return scalar_to_json(n.Scalar());
    default: return nullptr;
    }
}

}  // namespace

json yaml_to_json(const std::string& yaml_text) {
    try {
        return node_to_json(YAML::Load(yaml_text));
    } catch (const YAML::Exception&) {
        return nullptr;  // the text came from the loader, which parsed it already
    }
}

json make_report(const run_profile& profile, const run_facts& facts, const dataplane_totals& totals) {
    json workers = json::array();
    for (std::size_t w = 0; w < totals.workers.size(); ++w) {
        const auto& s = totals.workers[w];
        workers.push_back(json{{"worker", w},
                               {"state", std::string(to_string(s.state))},
                               {"phase", std::string(to_string(s.phase))},
                               {"applied_generation", s.applied_generation},
                               {"refused_generation", s.refused_generation},
                               {"refusal", std::string(shm::field_text(s.refusal))},
                               {"slots", s.slots},
                               {"active_users", s.active_users},
                               {"loops", s.loops},
                               {"counters", to_json(s.engine)},
                               {"ports", to_json(s.io)}});
    }
    json applications = applications_json(profile, totals.engine, totals.io);
    json mix = application_mix_json(applications);
    return json{
        {"schema", report_schema},
        {"profile",
         {{"name", profile.name}, {"file", facts.profile_file}, {"workers", profile.workers},
          {"applied", yaml_to_json(profile.applied_yaml)}, {"applied_yaml", profile.applied_yaml},
          {"dut", profile.dut}}},
        {"run",
         {{"instance", facts.instance}, {"dataplane_pid", facts.dataplane_pid},
          {"dataplane_exit_status", facts.dataplane_exit_status}, {"start_unix_ns", facts.start_unix_ns},
          {"end_unix_ns", facts.end_unix_ns}, {"duration_s", facts.duration_s},
          {"first_apply_ack_ms", facts.apply_ack_ms}, {"end_reason", facts.end_reason},
          {"unreadable_workers", totals.unreadable}}},
        {"totals", {{"counters", to_json(totals.engine)}, {"ports", to_json(totals.io)}, {"active_users", totals.active_users}, {"slots", totals.slots}}},
        {"applications", std::move(applications)},
        {"application_mix", std::move(mix)},
        {"workers", workers},
    };
}

std::string write_json(const std::string& path, const json& report) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << report.dump(2) << '\n';
    if (!f.flush()) return "cannot write " + path;
    return {};
}

}  // namespace qqgen::control
