// The segment files end to end in one process: the dataplane's segment
// (shm_segment) and control's attachment (shm_attach), with a second
// mapping of the file to play a crashed or corrupting writer.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control/shm/shm_attach.hpp"
#include "dataplane/shm/shm_segment.hpp"

using namespace qqgen;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A name no other test (or run) uses, removed whatever happens.
struct unique_instance {
    std::string name;
    // Appended, not "t" + ...: GCC 12 warns (-Wrestrict) on that at -O3.
    explicit unique_instance(const char* what) : name(std::to_string(::getpid())) {
        name.insert(name.begin(), 't');
        name.append("-").append(what);
    }
    ~unique_instance() { ::shm_unlink(shm::segment_name(name).c_str()); }
    bool exists() const { return ::access(shm::segment_path(name).c_str(), F_OK) == 0; }
};

shm::segment make_segment(const std::string& instance, std::uint32_t workers = 2) {
    shm::create_result r = shm::segment::create(instance, workers, 2'000'000'000);
    INFO(r.error);
    REQUIRE(r.seg);
    return std::move(*r.seg);
}

control::shm_attachment attach(const std::string& instance) {
    control::attach_result r = control::shm_attachment::attach(instance);
    INFO(r.message);
    REQUIRE(r.handle);
    return std::move(*r.handle);
}

// Another mapping of the segment: what a crashed or buggy writer could do.
struct raw_view {
    shm::mapping map;
    explicit raw_view(const std::string& instance) {
        shm::open_result o = shm::mapping::open_existing(shm::segment_name(instance));
        REQUIRE(o.map);
        map = std::move(o.map);
    }
    shm::shm_header& header() { return *reinterpret_cast<shm::shm_header*>(map.data()); }
    shm::profile_slot& profile() {
        return *reinterpret_cast<shm::profile_slot*>(map.data() + header().layout.profile_offset);
    }
};

shm::shm_profile sample_profile(std::uint32_t users) {
    shm::shm_profile p;
    p.settings.users = users;
    p.settings.seed = 0xABCDEF;
    shm::set_field_text(p.name, "soak-" + std::to_string(users));
    p.published_unix_ns = 1'700'000'000'000'000'000ull;
    return p;
}

// A segment, control attached, one profile published, and a raw view to
// damage it with.
struct published_profile {
    unique_instance inst;
    shm::segment seg;
    control::shm_attachment control;
    raw_view raw;
    explicit published_profile(const char* what)
        : inst(what), seg(make_segment(inst.name)), control(attach(inst.name)), raw(inst.name) {
        control.publish_profile(sample_profile(500));
    }
};

// A child that creates the segment and dies without unlinking it; its pid.
std::uint32_t leave_stale_segment(const std::string& instance) {
    const pid_t child = ::fork();
    if (child == 0) {
        shm::create_result r = shm::segment::create(instance, 1, 1);
        ::_exit(r.seg ? 0 : 1);  // no destructors: the segment stays
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return static_cast<std::uint32_t>(child);
}

}  // namespace

TEST_CASE("create and attach: the header both sides see", "[shm]") {
    unique_instance inst("roundtrip");
    {
        shm::segment seg = make_segment(inst.name, 3);
        CHECK(inst.exists());
        control::shm_attachment a = attach(inst.name);
        CHECK(a.worker_count() == 3);
        CHECK(a.pid() == static_cast<std::uint32_t>(::getpid()));
        CHECK(a.header().tsc_hz == 2'000'000'000);
        CHECK(a.header().abi_version == shm::abi_version);
        CHECK(a.dataplane_alive(1s).alive);

        shm::shm_status st;
        REQUIRE(a.read_status(st));
        CHECK(st.state == shm::dataplane_state::starting);
        seg.set_state(shm::dataplane_state::waiting_for_profile);
        seg.set_message("waiting for a profile");
        REQUIRE(a.read_status(st));
        CHECK(st.state == shm::dataplane_state::waiting_for_profile);
        CHECK(shm::field_text(st.message) == "waiting for a profile");
    }
    CHECK_FALSE(inst.exists());  // the destructor unlinks
}

TEST_CASE("a published profile reads back byte for byte, once per generation", "[shm]") {
    unique_instance inst("profile");
    shm::segment seg = make_segment(inst.name);
    control::shm_attachment a = attach(inst.name);

    shm::shm_profile got;
    CHECK(seg.read_profile(got, 0).status == shm::profile_status::unchanged);  // nothing published yet

    const shm::shm_profile p = sample_profile(500);
    const std::uint64_t g = a.publish_profile(p);
    CHECK(g == 1);
    const shm::profile_read r = seg.read_profile(got, 0);
    CHECK(r.status == shm::profile_status::ok);
    CHECK(r.generation == 1);
    CHECK(std::memcmp(&got, &p, sizeof p) == 0);
    CHECK(seg.read_profile(got, 1).status == shm::profile_status::unchanged);

    CHECK(a.publish_profile(sample_profile(600)) == 2);
    const shm::profile_read r2 = seg.read_profile(got, 1);
    CHECK(r2.status == shm::profile_status::ok);
    CHECK(r2.generation == 2);
    CHECK(got.settings.users == 600);
    CHECK(shm::field_text(got.name) == "soak-600");
}

TEST_CASE("a torn profile write is not applied", "[shm]") {
    published_profile t("torn");
    shm::segment& seg = t.seg;
    t.raw.profile().sequence += 1;  // a publisher died mid-copy: odd forever

    shm::shm_profile got = sample_profile(1);
    CHECK(seg.read_profile(got, 0).status == shm::profile_status::torn);
    CHECK(seg.read_profile(got, 1).status == shm::profile_status::torn);
    CHECK(got.settings.users == 1);  // untouched

    // The next publisher takes over the abandoned slot.
    CHECK(t.control.publish_profile(sample_profile(700)) == 2);
    const shm::profile_read r = seg.read_profile(got, 1);
    CHECK(r.status == shm::profile_status::ok);
    CHECK(got.settings.users == 700);
}

TEST_CASE("a corrupted profile is refused by checksum or size", "[shm]") {
    published_profile t("corrupt");
    shm::segment& seg = t.seg;
    raw_view& raw = t.raw;

    shm::shm_profile got = sample_profile(1);
    SECTION("one payload byte") {
        auto* bytes = reinterpret_cast<unsigned char*>(&raw.profile().words[shm::profile_payload_word]);
        bytes[100] ^= 0x20;
        const shm::profile_read r = seg.read_profile(got, 0);
        CHECK(r.status == shm::profile_status::bad_checksum);
        CHECK(r.generation == 1);
    }
    SECTION("the payload size") {
        raw.profile().words[offsetof(shm::profile_record, payload_size) / 8] = 12;
        CHECK(seg.read_profile(got, 0).status == shm::profile_status::bad_size);
    }
    CHECK(got.settings.users == 1);
}

TEST_CASE("attach refuses another ABI version, naming both", "[shm]") {
    unique_instance inst("abi");
    shm::segment seg = make_segment(inst.name);
    raw_view(inst.name).header().abi_version = shm::abi_version + 1;
    const control::attach_result r = control::shm_attachment::attach(inst.name);
    CHECK_FALSE(r.handle);
    CHECK(r.error == control::attach_error::abi_mismatch);
    CHECK(contains(r.message, "ABI version " + std::to_string(shm::abi_version + 1)));
    CHECK(contains(r.message, "speaks version " + std::to_string(shm::abi_version)));
}

TEST_CASE("attach refuses a header that disagrees with the file's size", "[shm]") {
    unique_instance inst("size");
    shm::segment seg = make_segment(inst.name);
    raw_view(inst.name).header().segment_size += 64;
    const control::attach_result r = control::shm_attachment::attach(inst.name);
    CHECK(r.error == control::attach_error::size_mismatch);
    CHECK(contains(r.message, "size mismatch"));
}

TEST_CASE("attach: no such instance, foreign file", "[shm]") {
    unique_instance inst("missing");
    control::attach_result r = control::shm_attachment::attach(inst.name);
    CHECK(r.error == control::attach_error::no_such_instance);
    CHECK(contains(r.message, shm::segment_path(inst.name) + " does not exist"));
    CHECK(control::shm_attachment::attach("bad/name").error == control::attach_error::bad_name);

    // Someone else's file under our name: not ours to use, but create() clears it.
    const int fd = ::shm_open(shm::segment_name(inst.name).c_str(), O_CREAT | O_RDWR, 0600);
    REQUIRE(fd >= 0);
    const std::string junk(4096, 'x');
    REQUIRE(::write(fd, junk.data(), junk.size()) == static_cast<ssize_t>(junk.size()));
    ::close(fd);
    r = control::shm_attachment::attach(inst.name);
    CHECK(r.error == control::attach_error::not_qqgen);
    CHECK(contains(r.message, "is not a qqgen segment (magic 0x7878787878787878"));

    shm::create_result c = shm::segment::create(inst.name, 1, 1);
    REQUIRE(c.seg);
    CHECK(contains(c.notice, "which was not a qqgen segment"));
}

TEST_CASE("a stale segment is reported by attach and removed by create", "[shm]") {
    unique_instance inst("stale");
    std::uint32_t dead = leave_stale_segment(inst.name);
    REQUIRE(inst.exists());

    control::attach_result r = control::shm_attachment::attach(inst.name);
    CHECK(r.error == control::attach_error::stale);
    CHECK(contains(r.message, "pid " + std::to_string(dead) + " is not running"));
    CHECK(inst.exists());
    r = control::shm_attachment::attach(inst.name, {.clean_stale = true});
    CHECK(r.error == control::attach_error::stale);
    CHECK(contains(r.message, "removed " + shm::segment_path(inst.name)));
    CHECK_FALSE(inst.exists());

    dead = leave_stale_segment(inst.name);
    shm::create_result c = shm::segment::create(inst.name, 1, 1);
    REQUIRE(c.seg);
    CHECK(contains(c.notice, "removed a stale segment"));
    CHECK(contains(c.notice, "pid " + std::to_string(dead)));
    CHECK(attach(inst.name).pid() == static_cast<std::uint32_t>(::getpid()));
}

TEST_CASE("a running instance refuses a second create", "[shm]") {
    unique_instance inst("inuse");
    shm::segment seg = make_segment(inst.name);
    const shm::create_result again = shm::segment::create(inst.name, 2, 1);
    CHECK_FALSE(again.seg);
    CHECK(contains(again.error,
                   "instance " + inst.name + " is in use by qqgen-dataplane pid " + std::to_string(::getpid())));
    CHECK(inst.exists());  // still the first one's
}

TEST_CASE("heartbeat silence and exit are detected", "[shm]") {
    unique_instance inst("heartbeat");
    std::optional<shm::segment> seg = make_segment(inst.name);
    control::shm_attachment a = attach(inst.name);
    seg->beat();
    CHECK(a.dataplane_alive(1s).alive);

    // No beat from now on: within a deadline, a 20 ms threshold must trip.
    control::liveness l;
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while ((l = a.dataplane_alive(20ms)).alive && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    CHECK_FALSE(l.alive);
    CHECK(contains(l.problem, "dataplane pid " + std::to_string(::getpid()) + " stopped responding (no heartbeat for"));
    seg->beat();
    CHECK(a.dataplane_alive(1s).alive);

    seg->set_message("stopped: SIGTERM");
    seg.reset();  // the dataplane exits; control still holds the mapping
    l = a.dataplane_alive(1s);
    CHECK_FALSE(l.alive);
    CHECK(contains(l.problem, "has exited: stopped: SIGTERM"));
    CHECK_FALSE(inst.exists());
}

TEST_CASE("commands reach every worker with a new sequence", "[shm]") {
    unique_instance inst("commands");
    shm::segment seg = make_segment(inst.name, 3);
    control::shm_attachment a = attach(inst.name);
    CHECK(seg.command(0).what == shm::command::none);
    a.send_command(shm::command::stop);
    for (std::uint32_t w = 0; w < 3; ++w) {
        CHECK(seg.command(w).what == shm::command::stop);
        CHECK(seg.command(w).sequence == 1);
    }
    a.send_command(shm::command::stop_now);
    CHECK(seg.command(2).what == shm::command::stop_now);
    CHECK(seg.command(2).sequence == 2);
    CHECK(seg.command(3).what == shm::command::none);  // no such worker
}

TEST_CASE("acks: applied, refused, pending", "[shm]") {
    unique_instance inst("acks");
    shm::segment seg = make_segment(inst.name, 3);
    control::shm_attachment a = attach(inst.name);
    const std::uint64_t g = a.publish_profile(sample_profile(10));

    // Worker 0 applies, worker 1 refuses, worker 2 says nothing.
    shm::shm_profile got;
    REQUIRE(seg.read_profile(got, 0).status == shm::profile_status::ok);
    shm::shm_worker_stats s;
    s.applied_generation = g;
    s.state = shm::worker_state::running;
    seg.publish_stats(0, s);
    s = {};
    s.refused_generation = g;
    shm::set_field_text(s.refusal, "users: 10 is below buddies_per_user + 1 (8)");
    seg.publish_stats(1, s);
    seg.beat();

    const control::ack_report r = a.wait_for_acks(g, 30ms);
    REQUIRE(r.workers.size() == 3);
    CHECK(r.workers[0].state == control::ack_state::applied);
    CHECK(r.workers[1].state == control::ack_state::refused);
    CHECK(r.workers[1].reason == "users: 10 is below buddies_per_user + 1 (8)");
    CHECK(r.workers[2].state == control::ack_state::pending);
    CHECK_FALSE(r.complete());
    CHECK(r.took >= 30ms);

    // Worker 2 applies from another thread while control waits.
    std::thread worker([&] {
        shm::shm_worker_stats w2;
        w2.applied_generation = g;
        std::this_thread::sleep_for(5ms);
        seg.publish_stats(2, w2);
    });
    const control::ack_report r2 = a.wait_for_acks(g, 5s);
    worker.join();
    CHECK(r2.complete());
    CHECK(r2.workers[2].state == control::ack_state::applied);
    CHECK(r2.took < 5s);
}

TEST_CASE("stats under a concurrent writer: never an inconsistent copy", "[shm]") {
    unique_instance inst("stress");
    shm::segment seg = make_segment(inst.name, 1);
    control::shm_attachment a = attach(inst.name);
    constexpr std::size_t words = sizeof(shm::shm_worker_stats) / 8;

    // Every word of every publication holds the same number, so any mix of
    // two publications shows as unequal words.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::array<std::uint64_t, words> w;
        shm::shm_worker_stats s;
        for (std::uint64_t i = 1; !stop.load(std::memory_order_relaxed); ++i) {
            w.fill(i);
            std::memcpy(static_cast<void*>(&s), w.data(), sizeof s);
            seg.publish_stats(0, s);
        }
    });
    std::uint64_t good = 0, torn = 0, mixed = 0, last = 0, backwards = 0;
    shm::shm_worker_stats s;
    std::array<std::uint64_t, words> w;
    const auto end = std::chrono::steady_clock::now() + 200ms;
    while (std::chrono::steady_clock::now() < end) {
        if (!a.read_stats(0, s)) {
            ++torn;
            continue;
        }
        std::memcpy(w.data(), &s, sizeof s);
        bool same = true;
        for (std::uint64_t v : w) same = same && v == w[0];
        if (!same) ++mixed;
        if (w[0] < last) ++backwards;
        last = w[0];
        ++good;
    }
    stop = true;
    writer.join();
    INFO("good " << good << " torn " << torn << " last " << last);
    CHECK(mixed == 0);
    CHECK(backwards == 0);
    CHECK(good > 0);
}
