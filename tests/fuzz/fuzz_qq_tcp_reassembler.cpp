// Fuzzes the TCP reassembler: the input (after two seed bytes) is a byte
// stream fed in pseudo-random segments. The frames and the refusal must be
// the same as when the stream is fed in one piece, and as a walk with
// decode_tcp_frame; delivered frames re-encode to the stream's bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/qq_tcp_framing.hpp"

using namespace qqgen::proto;

namespace {

constexpr std::size_t cap = 256;  // small, so that too_long is reachable
using frames_t = std::vector<std::vector<std::byte>>;

struct run {
    frames_t frames;
    decode_error error = decode_error::none;
    std::uint32_t offset = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint64_t seed = data[0] | (std::uint64_t{data[1]} << 8);
    const const_byte_span wire{reinterpret_cast<const std::byte*>(data) + 2, size - 2};

    static tcp_reassembler<cap> whole_r, cut_r;  // reused across runs; reset() below
    whole_r.reset();
    cut_r.reset();

    run whole, cut, walk;
    auto collect = [](frames_t& f) { return [&f](const_byte_span p) { f.emplace_back(p.begin(), p.end()); }; };

    const auto rw = whole_r.feed(wire, collect(whole.frames));
    whole.error = rw.why.code;
    whole.offset = rw.why.offset;
    if (rw.frames != whole.frames.size()) __builtin_trap();

    counter_rng rng(seed, 0);
    std::size_t from = 0;
    std::size_t delivered = 0;
    while (from < wire.size() && cut.error == decode_error::none) {
        const std::size_t len = rng.below(static_cast<std::uint32_t>(wire.size() - from) + 1);
        const auto r = cut_r.feed(wire.subspan(from, len), collect(cut.frames));
        delivered += r.frames;
        cut.error = r.why.code;
        cut.offset = r.why.offset;
        from += len;
    }
    if (delivered != cut.frames.size()) __builtin_trap();

    // Reference: walk the stream frame by frame.
    std::size_t pos = 0;
    // The reassembler judges a length as soon as both its bytes are in.
    while (pos < wire.size()) {
        if (wire.size() - pos >= tcp_length_size && load_be16(wire.data() + pos) > cap &&
            load_be16(wire.data() + pos) >= min_tcp_frame) {
            walk.error = decode_error::too_long;
            walk.offset = static_cast<std::uint32_t>(pos);
            break;
        }
        const auto d = decode_tcp_frame(wire.subspan(pos));
        if (d.why.code == decode_error::truncated) break;
        if (d.why.code == decode_error::bad_length) {
            walk.error = decode_error::bad_length;
            walk.offset = static_cast<std::uint32_t>(pos);
            break;
        }
        walk.frames.emplace_back(d.value.packet.begin(), d.value.packet.end());
        std::vector<std::byte> re(d.value.frame_size);
        if (encode_tcp_frame(re, d.value.packet) != d.value.frame_size ||
            std::memcmp(re.data(), wire.data() + pos, re.size()) != 0)
            __builtin_trap();
        pos += d.value.frame_size;
    }
    // A refusal may be seen only when its length field has fully arrived:
    // the one-piece feed and the walk see the whole stream.
    if (whole.frames != walk.frames || whole.error != walk.error || whole.offset != walk.offset) __builtin_trap();
    if (cut.frames != walk.frames || cut.error != walk.error || cut.offset != walk.offset) __builtin_trap();
    return 0;
}
