// Every load parameter of one worker's session engine, in one plain struct.
//
// The struct is what the control process publishes into shared memory and
// each worker copies out between bursts (design.md "Control <-> dataplane
// shared memory"): fixed-width fields and fixed arrays only, no pointers, no
// std::string, trivially copyable. Addresses use the protocol library's
// value types (a version byte and 16 address bytes; six MAC bytes).
//
// The defaults make a sensible quick run: 100 users on one worker, each
// logging in once (20% of them redirected), syncing 7 buddies, chatting 2 x 3
// messages and staying one 60-s keep-alive before logging out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "dataplane/engine/app_settings.hpp"
#include "dataplane/engine/queue_steering.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_header.hpp"

namespace qqgen::engine {

inline constexpr std::size_t max_login_servers = 8;
inline constexpr std::size_t login_server_name_size = 64;  // 63 characters and a NUL
inline constexpr std::size_t charset_weight_count = 4;     // proto::all_charsets order
inline constexpr std::size_t font_weight_count = 6;        // proto::qq_fonts() order
inline constexpr std::size_t message_size_class_count = 4;
// The longest message text a profile may ask for. The 0x0017 relay of such a
// message, with the longest font name, over IPv6 with a VLAN tag, still fits
// one 1500-byte IP packet (test_engine_message_sizes.cpp checks it); QQ
// clients of the era split longer messages into fragments, which qqgen does
// not emulate.
inline constexpr std::uint16_t max_message_text_size = 800;
// Client requests of one session must fit a quarter of the 16-bit sequence
// space, so that the windows of consecutive users of a slot never alias (see
// session_identity.hpp).
inline constexpr std::uint32_t max_requests_per_session = 16384;
inline constexpr std::uint8_t tcp_closer_client = 0;
inline constexpr std::uint8_t tcp_closer_server = 1;

struct load_settings {
    // --- who and how many ---------------------------------------------------
    std::uint64_t seed = 1;               // every derived value comes from it
    std::uint64_t total_sessions = 100;   // users to run before done(); 0 = keep cycling
    std::uint32_t users = 100;            // slots of this worker = concurrency cap
    std::uint32_t qq_number_base = 100000;  // worker w, slot s: base + w * users + s

    // --- addresses ----------------------------------------------------------
    std::uint8_t ip_version = 4;                    // 4 or 6, for every address below
    std::uint8_t padding0_ = 0;                     // explicit: the struct is shared-memory ABI
    std::array<std::uint16_t, 2> vlan_id{0, 0};     // per port (client, server); 0 = untagged
    proto::ip_address client_address_base = proto::ipv4_address::from_u32(0xC6120001);  // 198.18.0.1
    std::array<std::uint8_t, 5> padding1_{};
    std::uint32_t client_address_count = 16;
    // Above 8000 on purpose: tshark tries the lower UDP port first, so the
    // OICQ dissector on 8000 wins only if the client port is higher.
    std::uint16_t client_port_base = 10000;
    std::uint16_t client_ports_per_address = 50000;
    proto::ip_address dns_server = proto::ipv4_address::from_u32(0xC6130035);  // 198.19.0.53
    std::uint8_t login_server_count = 2;
    std::uint16_t login_server_port = 8000;
    std::array<proto::ip_address, max_login_servers> login_servers{
        proto::ipv4_address::from_u32(0xC6130101), proto::ipv4_address::from_u32(0xC6130102),
        proto::ipv4_address::from_u32(0xC6130103), proto::ipv4_address::from_u32(0xC6130104),
        proto::ipv4_address::from_u32(0xC6130105), proto::ipv4_address::from_u32(0xC6130106),
        proto::ipv4_address::from_u32(0xC6130107), proto::ipv4_address::from_u32(0xC6130108)};
    // NUL-terminated; qq-protocol.md: sz.tencent.com, sz2 ... sz9.tencent.com.
    std::array<std::array<char, login_server_name_size>, max_login_servers> login_server_names{
        {{"sz.tencent.com"}, {"sz2.tencent.com"}, {"sz3.tencent.com"}, {"sz4.tencent.com"},
         {"sz5.tencent.com"}, {"sz6.tencent.com"}, {"sz7.tencent.com"}, {"sz8.tencent.com"}}};
    // Per port (client, server): our MAC and the MAC frames are sent to. The
    // defaults suit the wire topology, where each port's next hop is the other.
    // A zero next-hop MAC is resolved with ARP / neighbour discovery
    // (neighbour_handler.hpp); users start once both ports know theirs.
    std::array<proto::mac_address, 2> local_mac{
        proto::mac_address{{std::byte{0x02}, {}, {}, {}, {}, std::byte{0x01}}},
        proto::mac_address{{std::byte{0x02}, {}, {}, {}, {}, std::byte{0x02}}}};
    // Per port: the router frames go through when next_hop_mac is zero (its
    // MAC is then resolved with ARP/ND), and our own address on its subnet
    // (source of those requests). Unset (all zero): the bridging case, where
    // each port resolves an address the other port answers for.
    std::array<proto::ip_address, 2> gateway_ip{};
    std::array<proto::ip_address, 2> interface_ip{};
    std::array<proto::mac_address, 2> next_hop_mac{
        proto::mac_address{{std::byte{0x02}, {}, {}, {}, {}, std::byte{0x02}}},
        proto::mac_address{{std::byte{0x02}, {}, {}, {}, {}, std::byte{0x01}}}};

    // --- login --------------------------------------------------------------
    std::uint32_t redirect_ppm = 200000;  // chance (parts per million) a first login is redirected

    // --- pacing: the phases (pacer.hpp) ---------------------------------------
    std::uint32_t new_user_rate = 1000;  // users started per second, steady phase
    std::uint32_t ramp_ms = 1000;        // ramp-up: linear from 0 to new_user_rate
    std::uint32_t new_user_burst = 32;   // token-bucket depth (users)
    std::uint32_t steady_ms = 0;         // steady phase length; 0 = until stopped
    std::uint32_t ramp_down_ms = 0;      // after steady: new users and concurrency fall linearly to 0
    std::uint32_t concurrent_target = 0; // most users at once during the phases; 0 = every slot

    // --- post-login sync and chat -------------------------------------------
    std::uint16_t buddies_per_user = 7;   // buddy groups are buddies_per_user + 1 consecutive slots
    std::uint16_t friend_page_size = 20;  // entries per 0x0026 / 0x0027 reply page
    std::uint16_t chats_per_user = 2;
    std::uint16_t messages_per_chat = 3;
    std::uint32_t message_delay_min_ms = 500;  // between two messages of a user
    std::uint32_t message_delay_max_ms = 2000;
    // Text sizes (bytes in the user's charset): a class is drawn by weight,
    // then a size uniformly in min..max (chat_content.hpp). Every weight 0:
    // each message is one corpus line (a few bytes to ~200, and one
    // line per language of 500+: text_corpus.cpp).
    struct message_size_class {
        std::uint16_t min_bytes = 0;
        std::uint16_t max_bytes = 0;
        std::uint32_t weight = 0;
        constexpr bool operator==(const message_size_class&) const noexcept = default;
    };
    std::array<message_size_class, message_size_class_count> message_sizes{};
    // Relative weights of the users' charsets: gbk, gb18030, big5, utf-8.
    std::array<std::uint16_t, charset_weight_count> charset_weights{70, 10, 15, 5};
    // Relative weights of the fonts, in proto::qq_fonts() order: 宋体, 微软雅黑,
    // 黑体, 楷体, 新細明體, Tahoma. A user picks among the fonts of its charset
    // (Tahoma fits all); with none weighted it uses its charset's default.
    std::array<std::uint16_t, font_weight_count> font_weights{50, 20, 10, 5, 10, 5};

    // --- staying online, resends, logout ------------------------------------
    std::uint32_t keepalive_interval_ms = 60000;  // pidgin 2.7: 60 s
    std::uint32_t keepalive_count = 1;            // keep-alives before logout
    // A request unanswered after resend_timeout_ms plus a derived 0 ..
    // resend_jitter_ms is sent again (qq-protocol.md: every 3-5 s). The
    // jitter keeps users that started together from resending in lockstep.
    std::uint32_t resend_timeout_ms = 3000;
    std::uint32_t resend_jitter_ms = 2000;
    std::uint8_t resend_tries = 5;                // transmissions before giving up

    // --- wire form ----------------------------------------------------------
    proto::dialect dialect = proto::default_dialect;
    std::uint16_t client_version = 0x0D55;  // pidgin 2.4 (qq_command.hpp qq_version)
    std::uint32_t unix_time_base = 1230768000;  // 2009-01-01: login and IM times count from it
    std::uint8_t keylog = 0;                    // 1: write the key log (keylog.hpp)
    std::array<std::uint8_t, 3> padding2_{};

    // --- transport (docs/tcp.md) ----------------------------------------------
    // Share of users (parts per million, derived per user) that reach the
    // login servers over TCP (qq-protocol.md "Framing": tcpconn*.tencent.com on
    // 8000, 80 or 443); the DNS look-up stays UDP.
    std::uint32_t tcp_share_ppm = 0;
    std::uint16_t tcp_server_port = 8000;
    std::uint16_t tcp_mss = 1460;  // MSS option sent; QQ frames are never split below it
    std::uint8_t tcp_closer = 0;   // who sends the first FIN: 0 client, 1 server (tcp_closer_*)
    std::array<std::uint8_t, 7> padding3_{};

    // --- companion applications blended with QQ (app_settings.hpp) --------------
    app_mix apps{};

    // The derived numbers the engine sizes itself by.
    [[nodiscard]] constexpr std::uint32_t group_size() const noexcept { return buddies_per_user + 1u; }
    [[nodiscard]] constexpr std::uint32_t friend_pages() const noexcept {
        return buddies_per_user / friend_page_size + 1u;  // the last page may be empty
    }
    [[nodiscard]] constexpr std::uint32_t messages_per_user() const noexcept {
        return std::uint32_t{chats_per_user} * messages_per_chat;
    }
    // Upper bound on the sequence numbers a session uses: two token + login
    // pairs (one redirect), status, friend and online pages, messages,
    // keep-alives.
    [[nodiscard]] constexpr std::uint64_t requests_per_session() const noexcept {
        return 4u + 1u + 2u * std::uint64_t{friend_pages()} + messages_per_user() + keepalive_count;
    }
    [[nodiscard]] constexpr std::uint64_t client_endpoints() const noexcept {
        return std::uint64_t{client_address_count} * client_ports_per_address;
    }
    [[nodiscard]] std::string_view login_server_name(std::size_t i) const noexcept;
    // The concurrency the phases aim at: concurrent_target, or every slot.
    [[nodiscard]] constexpr std::uint32_t concurrency() const noexcept {
        return concurrent_target == 0 || concurrent_target > users ? users : concurrent_target;
    }

    // Empty when the settings can run; else one sentence naming the field,
    // what is wrong and what to change.
    [[nodiscard]] std::string validate() const;
    // validate(), plus what depends on how many workers share the address and
    // QQ-number ranges.
    [[nodiscard]] std::string validate_for_workers(std::uint32_t worker_count,
                                                   const queue_steering& steering = {}) const;
    // Empty when a running engine can switch from *this to `next` without a
    // restart; else the first field that differs and cannot change live
    // (load_settings_live.cpp lists which can and why).
    [[nodiscard]] std::string live_change_refusal(const load_settings& next) const;
};

static_assert(std::is_trivially_copyable_v<load_settings>);
static_assert(std::is_standard_layout_v<load_settings>);
// Part of the shared-memory ABI (docs/shm-abi.md): no implicit padding, so
// the bytes control writes are the bytes a worker checks.
static_assert(std::has_unique_object_representations_v<load_settings>,
              "load_settings must have no implicit padding: add explicit padding_ members");

// The app mix's part of validate() and live_change_refusal() (app_settings.cpp).
std::string validate_app_mix(const load_settings& s);
bool app_mix_live_equal(const app_mix& running, const app_mix& next) noexcept;

// Sets login server i's name (set-up code); false if it does not fit.
bool set_login_server_name(load_settings& s, std::size_t i, std::string_view name) noexcept;

}  // namespace qqgen::engine
