#include "control/run/profile_publication.hpp"

namespace qqgen::control {

publication publish_and_wait(shm_attachment& shm, const run_profile& profile, std::chrono::nanoseconds timeout,
                             std::chrono::nanoseconds max_silence) {
    shm::shm_profile p{};
    p.settings = profile.load;
    shm::set_field_text(p.name, profile.name);
    p.published_unix_ns = shm::unix_ns();
    publication out;
    out.generation = shm.publish_profile(p);
    out.acks = shm.wait_for_acks(out.generation, timeout, max_silence);
    return out;
}

bool print_acks(std::FILE* out, const publication& p) {
    std::size_t applied = 0;
    for (std::size_t w = 0; w < p.acks.workers.size(); ++w) {
        const worker_ack& a = p.acks.workers[w];
        switch (a.state) {
        case ack_state::applied: ++applied; break;
        case ack_state::refused:
            std::fprintf(out, "worker %zu refused profile generation %llu: %s\n", w,
                         static_cast<unsigned long long>(p.generation), a.reason.c_str());
            break;
        case ack_state::pending:
            std::fprintf(out, "worker %zu did not answer profile generation %llu in time\n", w,
                         static_cast<unsigned long long>(p.generation));
            break;
        case ack_state::superseded:
            std::fprintf(out, "worker %zu went on to a newer profile than generation %llu\n", w,
                         static_cast<unsigned long long>(p.generation));
            break;
        }
    }
    if (!p.acks.problem.empty()) std::fprintf(out, "%s\n", p.acks.problem.c_str());
    const double ms = static_cast<double>(p.acks.took.count()) / 1e6;
    std::fprintf(out, "profile generation %llu: applied by %zu of %zu workers, acknowledged in %.1f ms\n",
                 static_cast<unsigned long long>(p.generation), applied, p.acks.workers.size(), ms);
    return p.acks.all_applied();
}

}  // namespace qqgen::control
