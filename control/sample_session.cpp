#include "control/sample_session.hpp"

#include <array>
#include <stdexcept>
#include <vector>

#include "protocols/counter_rng.hpp"
#include "protocols/dns.hpp"
#include "protocols/md5.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_command.hpp"
#include "protocols/qq_friends.hpp"
#include "protocols/qq_fonts.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_login.hpp"
#include "protocols/qq_logout.hpp"
#include "protocols/qq_status.hpp"
#include "protocols/text_corpus.hpp"

namespace qqgen::control {
namespace {

using namespace qqgen::proto;

// Addresses from the benchmarking ranges (RFC 2544 198.18.0.0/15), never ones
// somebody might own: clients in 198.18.0.0/16, servers in 198.19.0.0/16.
constexpr std::uint32_t client_net = 0xC6120000;       // 198.18.0.0
constexpr std::uint32_t dns_server_ip = 0xC6130035;    // 198.19.0.53
constexpr std::uint32_t login_server_net = 0xC6130100;  // 198.19.1.0: sz.tencent.com's servers
constexpr std::uint16_t dns_port = 53;
constexpr std::uint16_t qq_server_port = 8000;  // qq-protocol.md "Framing"
// Client ports above 8000: tshark tries the lower UDP port first, and
// "02 00 …" on port 4000 is taken for ICQv2 (checked with tshark 4.0.17).
constexpr std::uint16_t client_port_base = 10001;
constexpr std::uint32_t qq_number_base = 100001;
constexpr std::uint64_t epoch_ns = 1767225600ull * 1'000'000'000ull;  // 2026-01-01 00:00:00 UTC
constexpr std::uint64_t hop_ns = 1'000'000;                           // 1 ms between frames
constexpr std::array<std::string_view, 1> login_server_names{"sz.tencent.com"};
constexpr std::uint32_t login_servers = 3;  // answers to the look-up

const mac_address client_side_mac{{std::byte{0x02}, std::byte{0x51}, std::byte{0x51}, std::byte{0}, std::byte{0}, std::byte{1}}};
const mac_address server_side_mac{{std::byte{0x02}, std::byte{0x51}, std::byte{0x51}, std::byte{0}, std::byte{0}, std::byte{2}}};

// Streams of the counter RNG, one per purpose, so that adding a draw to one
// purpose does not shift the values of another.
enum stream : std::uint64_t { user_stream = 1, text_stream = 2 };

struct endpoint {
    std::uint32_t ip = 0;
    std::uint16_t port = 0;
};

struct user {
    std::uint32_t index = 0;
    std::uint32_t qq = 0;
    endpoint address;
    tea_key password_key;
    tea_key initial_key;
    tea_key session_key;
    std::array<std::byte, login_token_usual_size> token{};
    std::uint16_t sequence = 0;
    std::uint16_t server_sequence = 0;  // the server's own, for 0x0017
    std::uint32_t server = 0;           // login server it is talking to
    bool online = false;
    std::vector<std::byte> nickname;    // in the text charset
};

class sample_builder {
public:
    sample_builder(const sample_options& o, const frame_sink& frames, const key_sink& keys)
        : o_(o), frames_(frames), keys_(keys), rng_(o.seed, user_stream), text_rng_(o.seed, text_stream) {
        prepare_text();
        prepare_font();
        users_.resize(o.users);
        for (std::uint32_t i = 0; i < o.users; ++i) make_user(i);
    }

    sample_summary run() {
        for (std::uint32_t first = 0; first < o_.users; first += 2) {
            user& a = users_[first];
            user* b = first + 1 < o_.users ? &users_[first + 1] : nullptr;
            log_in(a, b);
            if (b != nullptr) {
                log_in(*b, &a);
                for (std::uint32_t m = 0; m < o_.messages; ++m) {
                    if (m % 2 == 0) chat(a, *b, m);
                    else chat(*b, a, m);
                }
                keep_alive(*b);
            }
            keep_alive(a);
            log_out(a);
            if (b != nullptr) log_out(*b);
        }
        summary_.users = o_.users;
        return summary_;
    }

private:
    // ------------------------------------------------------------- set-up

    void prepare_text() {
        std::vector<corpus_language> languages;
        for (corpus_language l : {corpus_language::simplified, corpus_language::traditional,
                                  corpus_language::english, corpus_language::mixed})
            if (language_suits(l, o_.text_charset)) languages.push_back(l);
        prepare_result prepared = prepare_texts(o_.text_charset, languages);
        if (!prepared.ok()) throw std::invalid_argument("--charset: " + prepared.error);
        texts_ = std::move(prepared.table);
    }

    void prepare_font() {
        const qq_font* f = find_font(o_.font);
        if (f == nullptr) {
            std::string names;
            for (const qq_font& known : qq_fonts()) names += (names.empty() ? "" : ", ") + std::string(known.alias);
            throw std::invalid_argument("--font: unknown font '" + o_.font + "' (known: " + names + ")");
        }
        if (o_.font_size > font_size_max) throw std::invalid_argument("--font-size: must be 1..31");
        font_.size = o_.font_size != 0 ? o_.font_size : f->default_size;
        font_.bold = o_.bold;
        font_.italic = o_.italic;
        font_.underline = o_.underline;
        font_.red = static_cast<std::uint8_t>(o_.color >> 16);
        font_.green = static_cast<std::uint8_t>(o_.color >> 8);
        font_.blue = static_cast<std::uint8_t>(o_.color);
        // The charset field describes the text; receivers ignore it (qq-protocol.md).
        font_.charset = qq_charset_field(o_.text_charset);
        font_.name = f->name_bytes;
    }

    tea_key random_key() {
        tea_key k;
        rng_.fill(k.bytes);
        return k;
    }

    void make_user(std::uint32_t i) {
        user& u = users_[i];
        u.index = i;
        u.qq = qq_number_base + i;
        u.address = {client_net + 1 + i, static_cast<std::uint16_t>(client_port_base + i)};
        // A password only this seed knows; the key log publishes its key.
        std::string password = "qqgen-" + std::to_string(rng_.next());
        u.password_key = password_key(password);
        // pidgin 2.4 sends sixteen 0x01 bytes; later clients a random key.
        u.initial_key = o_.dialect == dialect::classic ? tea_key_filled(std::byte{pidgin_initial_key_byte}) : random_key();
        u.session_key = random_key();
        rng_.fill(u.token);
        u.sequence = static_cast<std::uint16_t>(rng_.next());
        u.server_sequence = static_cast<std::uint16_t>(rng_.next());
        encoded_text nick = encode_text("user" + std::to_string(u.qq), o_.text_charset);
        u.nickname = std::move(nick.bytes);
        keys_(u.qq, "password", u.password_key);
        keys_(u.qq, "session", u.session_key);
    }

    // ------------------------------------------------------------- frames

    void emit(endpoint from, endpoint to, bool from_client, const_byte_span payload) {
        frame_desc d;
        d.eth.src = from_client ? client_side_mac : server_side_mac;
        d.eth.dst = from_client ? server_side_mac : client_side_mac;
        d.src_ip = ipv4_address::from_u32(from.ip);
        d.dst_ip = ipv4_address::from_u32(to.ip);
        d.ipv4_id = ip_id_++;
        d.protocol = ip_protocol::udp;
        d.src_port = from.port;
        d.dst_port = to.port;
        std::size_t size = write_frame(frame_, d, payload);
        if (size == 0) throw std::logic_error("sample: frame does not fit");
        now_ += hop_ns;
        frames_(now_, const_byte_span{frame_.data(), size});
        ++summary_.frames;
        summary_.bytes += size;
    }

    endpoint server_endpoint(const user& u) const { return {login_server_net + 1 + u.server, qq_server_port}; }

    // Encrypts `plain` with `key` into the body scratch buffer.
    const_byte_span encrypt(const tea_key& key, const_byte_span plain) {
        std::size_t n = tea_encrypt(key, plain, cipher_, rng_.next());
        if (n == 0) throw std::logic_error("sample: body does not fit");
        return {cipher_.data(), n};
    }

    void client_send(user& u, qq_command command, std::uint16_t sequence, const_byte_span body,
                     bool first_exchange = false) {
        client_header h{};
        h.version = qq_version::pidgin_2_4;
        h.command = command;
        h.sequence = sequence;
        h.qq_number = u.qq;
        std::size_t n = form_for(o_.dialect, first_exchange) == packet_form::signature
                            ? encode_signature_client_packet(packet_, h, body)
                            : encode_client_packet(packet_, h, body);
        if (n == 0) throw std::logic_error("sample: client packet does not fit");
        emit(u.address, server_endpoint(u), true, {packet_.data(), n});
        ++summary_.qq_packets;
    }

    void server_send(const user& u, qq_command command, std::uint16_t sequence, const_byte_span body,
                     bool first_exchange = false) {
        server_header h{};
        h.version = qq_version::pidgin_2_4;  // echo the client's (qq-protocol.md: works with every engine)
        h.command = command;
        h.sequence = sequence;
        std::size_t n = form_for(o_.dialect, first_exchange) == packet_form::signature
                            ? encode_signature_server_packet(packet_, h, body)
                            : encode_server_packet(packet_, h, body);
        if (n == 0) throw std::logic_error("sample: server packet does not fit");
        emit(server_endpoint(u), u.address, false, {packet_.data(), n});
        ++summary_.qq_packets;
    }

    // One request/reply exchange under `key`, both bodies encrypted.
    void exchange(user& u, qq_command command, const tea_key& key, const_byte_span request, const_byte_span reply) {
        std::uint16_t seq = u.sequence++;
        client_send(u, command, seq, encrypt(key, request));
        server_send(u, command, seq, encrypt(key, reply));
    }

    // ------------------------------------------------------------- stages

    void look_up_servers(user& u) {
        std::uint16_t id = static_cast<std::uint16_t>(rng_.next());
        endpoint dns{dns_server_ip, dns_port};
        std::size_t n = encode_dns_query(plain_, id, login_server_names[0]);
        emit(u.address, dns, true, {plain_.data(), n});
        std::array<ipv4_address, login_servers> answers;
        for (std::uint32_t i = 0; i < login_servers; ++i) answers[i] = ipv4_address::from_u32(login_server_net + 1 + i);
        dns_response_desc r;
        r.id = id;
        r.name = login_server_names[0];
        r.addresses = answers;
        n = encode_dns_response(plain_, r);
        emit(dns, u.address, false, {plain_.data(), n});
        summary_.dns_packets += 2;
    }

    void request_token(user& u) {
        std::uint16_t seq = u.sequence++;
        constexpr auto cmd = qq_command::request_login_token;
        std::size_t n = encode_login_token_request(plain_);
        client_send(u, cmd, seq, {plain_.data(), n}, true);
        n = encode_login_token_reply(login_token_reply{login_token_reply_ok, u.token}, plain_);
        server_send(u, cmd, seq, {plain_.data(), n}, true);
    }

    // Sends the login request; returns its sequence for the reply.
    std::uint16_t send_login(user& u) {
        // The password check: TEA(password key, empty) (qq-protocol.md step 3).
        login_block block;
        std::size_t n = tea_encrypt(u.password_key, {}, block.password_check, rng_.next());
        if (n != password_check_size) throw std::logic_error("sample: password check size");
        block.login_mode = login_mode_online;
        block.token = u.token;
        std::array<std::byte, login_block_size> plain_block;
        if (encode_login_block(block, plain_block) == 0) throw std::logic_error("sample: login block");
        std::array<std::byte, login_request_body_size> body;
        encode_login_request_key(u.initial_key.bytes, body);
        if (tea_encrypt(u.initial_key, plain_block, std::span{body}.subspan(login_key_size), rng_.next()) !=
            login_ciphertext_size)
            throw std::logic_error("sample: login ciphertext size");
        std::uint16_t seq = u.sequence++;
        client_send(u, qq_command::login, seq, body);
        return seq;
    }

    void log_in(user& u, const user* buddy) {
        look_up_servers(u);
        // The deferred login: the first server redirects to the next one
        // (qq-protocol.md step 4: reply 0x01, encrypted with the initial key).
        u.server = 0;
        request_token(u);
        std::uint16_t seq = send_login(u);
        login_redirect redirect{u.qq, login_server_net + 2, qq_server_port};
        std::size_t n = encode_login_redirect(redirect, plain_);
        server_send(u, qq_command::login, seq, encrypt(u.initial_key, {plain_.data(), n}));
        ++summary_.redirects;

        u.server = 1;
        request_token(u);
        seq = send_login(u);
        login_ok ok;
        ok.session_key = u.session_key.bytes;
        ok.uid = u.qq;
        ok.client_ip = u.address.ip;
        ok.client_port = u.address.port;
        ok.server_ip = server_endpoint(u).ip;
        ok.server_port = qq_server_port;
        ok.login_time = static_cast<std::uint32_t>(now_ / 1'000'000'000u);
        ok.last_client_ip = u.address.ip;
        ok.last_login_time = ok.login_time - 86400;
        n = encode_login_ok(ok, plain_);
        server_send(u, qq_command::login, seq, encrypt(u.password_key, {plain_.data(), n}));
        u.online = true;

        // Post-login sync under the session key (qq-protocol.md step 5).
        std::array<std::byte, 64> request{};
        std::array<std::byte, 8> reply{};
        n = encode_set_status_request(set_status_request{status_online, 0}, request);
        std::size_t r = encode_set_status_reply(set_status_reply{set_status_reply_ok}, reply);
        exchange(u, qq_command::set_status, u.session_key, {request.data(), n}, {reply.data(), r});

        n = encode_friend_list_request(friend_list_request{friend_list_start}, request);
        std::vector<friend_entry> friends;
        if (buddy != nullptr) {
            friend_entry e;
            e.uid = buddy->qq;
            e.face = static_cast<std::uint16_t>(buddy->index % 100);
            e.age = static_cast<std::uint8_t>(18 + buddy->index % 40);
            e.gender = static_cast<std::uint8_t>(buddy->index % 2);
            e.nickname = buddy->nickname;
            friends.push_back(e);
        }
        page_encoding page = encode_friend_list_reply(friend_list_done, friends, plain_);
        exchange(u, qq_command::get_friend_list, u.session_key, {request.data(), n}, {plain_.data(), page.size});

        n = encode_online_friends_request(online_friends_request{}, request);
        std::vector<online_friend_entry> online;
        if (buddy != nullptr && buddy->online) {
            online_friend_entry e;
            e.status.uid = buddy->qq;
            e.status.ip = buddy->address.ip;
            e.status.port = buddy->address.port;
            e.status.status = status_online;
            e.status.client_version = qq_version::pidgin_2_4;
            online.push_back(e);
        }
        page = encode_online_friends_reply(online_friends_done, online, plain_);
        exchange(u, qq_command::get_friends_online, u.session_key, {request.data(), n}, {plain_.data(), page.size});
    }

    // One message from `from` to `to`: 0x0016 to the server, its ack, the
    // relay 0x0017 to the buddy and the buddy's ack (qq-protocol.md steps 7 and
    // "Instant message body").
    void chat(user& from, user& to, std::uint32_t m) {
        const_byte_span text = texts_.line(text_rng_.below(static_cast<std::uint32_t>(texts_.size())));
        auto now_s = static_cast<std::uint32_t>(now_ / 1'000'000'000u);
        send_im im;
        im.header.sender_version = qq_version::pidgin_2_4;
        im.header.sender_uid = from.qq;
        im.header.receiver_uid = to.qq;
        std::array<std::byte, 4> uid;
        store_be32(uid.data(), from.qq);
        im.header.session_md5 = md5(uid, from.session_key.bytes);
        im.message.message_sequence = static_cast<std::uint16_t>(m + 1);
        im.message.send_time = now_s;
        im.message.text = text;
        im.message.font = font_;
        std::size_t n = encode_send_im(im, plain_);
        if (n == 0) throw std::logic_error("sample: IM does not fit");
        std::array<std::byte, 1> ok{std::byte{send_im_reply_ok}};
        exchange(from, qq_command::send_message, from.session_key, {plain_.data(), n}, ok);

        recv_im relay;
        relay.header.sender_uid = from.qq;
        relay.header.receiver_uid = to.qq;
        relay.header.server_im_sequence = ++server_im_sequence_;
        // "if the message is delivered via server, it is server IP/port" (pidgin 2.4 im.h)
        relay.header.sender_ip = server_endpoint(to).ip;
        relay.header.sender_port = qq_server_port;
        relay.header.im_type = recv_im_from_buddy;
        relay.normal = im.header;
        relay.message = im.message;
        n = encode_recv_im(relay, plain_);
        if (n == 0) throw std::logic_error("sample: relayed IM does not fit");
        // Server-initiated: the server's own sequence, acked with the same one.
        std::uint16_t seq = to.server_sequence++;
        constexpr auto cmd = qq_command::receive_message;
        server_send(to, cmd, seq, encrypt(to.session_key, {plain_.data(), n}));
        std::array<std::byte, recv_im_ack_size> ack;
        copy_recv_im_ack({plain_.data(), n}, ack);
        client_send(to, cmd, seq, encrypt(to.session_key, ack));
        ++summary_.messages;
    }

    void keep_alive(user& u) {
        std::array<std::byte, keep_alive_max_request_size> request;
        std::size_t n = encode_keep_alive_request(keep_alive_request{u.qq}, keep_alive_uid_format::binary, request);
        keep_alive_reply reply;
        reply.online_total = o_.users;
        reply.client_ip = u.address.ip;
        reply.client_port = u.address.port;
        std::array<std::byte, keep_alive_max_reply_size> reply_bytes;
        std::size_t r = encode_keep_alive_reply(reply, reply_bytes);
        exchange(u, qq_command::keep_alive, u.session_key, {request.data(), n}, {reply_bytes.data(), r});
    }

    void log_out(user& u) {
        // Four times with sequence 0xFFFF, body TEA(session key, password key),
        // no reply (qq-protocol.md step 8).
        logout_body body{u.password_key.bytes};
        std::array<std::byte, logout_body_size> plain;
        encode_logout(body, plain);
        for (int i = 0; i < logout_repeat_count; ++i)
            client_send(u, qq_command::logout, logout_sequence,
                        encrypt(u.session_key, plain));
        u.online = false;
    }

    const sample_options& o_;
    const frame_sink& frames_;
    const key_sink& keys_;
    counter_rng rng_;
    counter_rng text_rng_;
    prepared_texts texts_;
    font_style font_;
    std::vector<user> users_;
    std::uint64_t now_ = epoch_ns;
    std::uint16_t ip_id_ = 1;
    std::uint32_t server_im_sequence_ = 0;
    sample_summary summary_;
    std::array<std::byte, 4096> plain_{};
    std::array<std::byte, 4096> cipher_{};
    std::array<std::byte, 4096> packet_{};
    std::array<std::byte, 4096> frame_{};
};

}  // namespace

sample_summary write_sample_sessions(const sample_options& options, const frame_sink& frames, const key_sink& keys) {
    if (options.users == 0) throw std::invalid_argument("--users: must be at least 1");
    if (options.users > 60000) throw std::invalid_argument("--users: at most 60000 (one client port each)");
    sample_builder builder(options, frames, keys);
    return builder.run();
}

}  // namespace qqgen::control
