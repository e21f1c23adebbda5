// A complete send-IM frame (0x0016): IM body with font tail, QQ-TEA under the
// session key, client header and tail, Ethernet/IPv4/UDP with checksums —
// everything one chat message costs the client half (bench/RESULTS.md).
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <string_view>

#include "protocols/net_headers.hpp"
#include "protocols/qq_command.hpp"
#include "protocols/qq_header.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_tea.hpp"

using namespace qqgen::proto;

namespace {

void bm_build_send_im_frame(benchmark::State& state) {
    // A GBK chat line of the requested length ("你好" repeated).
    std::array<std::byte, 1024> text{};
    const std::size_t text_len = static_cast<std::size_t>(state.range(0));
    for (std::size_t i = 0; i < text_len; i += 2) {
        text[i] = std::byte{0xC4};
        if (i + 1 < text_len) text[i + 1] = std::byte{0xE3};
    }
    send_im im;
    im.header.sender_uid = 100001;
    im.header.receiver_uid = 100002;
    im.message.text = const_byte_span{text.data(), text_len};
    im.message.font.size = 9;
    im.message.font.name = font_name_simsun_gbk;
    const tea_key key = tea_key_filled(std::byte{0x5A});

    frame_desc d;
    d.eth.src = *mac_address::parse("02:51:51:00:00:01");
    d.eth.dst = *mac_address::parse("02:51:51:00:00:02");
    d.src_ip = *ip_address::parse("198.18.0.1");
    d.dst_ip = *ip_address::parse("198.19.1.2");
    d.src_port = 10001;
    d.dst_port = 8000;

    std::array<std::byte, 2048> plain{};
    std::array<std::byte, 2048> frame{};
    std::uint64_t seed = 1;
    std::uint16_t seq = 1;
    for (auto _ : state) {
        im.message.message_sequence = seq;
        const std::size_t body = encode_send_im(im, plain);
        const std::size_t cipher = tea_cipher_size(body);
        const std::size_t packet = client_header_size + cipher + tail_size;
        frame_layout layout = write_headers(frame, d, packet);
        byte_span qq{frame.data() + layout.payload_offset, packet};
        tea_encrypt(key, {plain.data(), body}, qq.subspan(client_body_offset, cipher), ++seed);
        frame_client_body(qq, client_header{qq_version::pidgin_2_4, qq_command::send_message, seq++, 100001}, cipher);
        finish_checksums(frame, layout);
        benchmark::DoNotOptimize(frame.data());
        benchmark::ClobberMemory();
        ++d.ipv4_id;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_build_send_im_frame)->Arg(16)->Arg(64)->Arg(256);

}  // namespace
