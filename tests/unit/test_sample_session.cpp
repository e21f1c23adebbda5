// qqgen sample's sessions, read back with the protocol decoders and the keys
// the key sink published: every frame parses with valid checksums, every QQ
// body decrypts with the key the protocol says and decodes as its command, and
// each stage happens in order for every user.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "control/sample_session.hpp"
#include "protocols/dns.hpp"
#include "protocols/net_headers.hpp"
#include "protocols/qq_command.hpp"
#include "protocols/qq_friends.hpp"
#include "protocols/qq_im.hpp"
#include "protocols/qq_keepalive.hpp"
#include "protocols/qq_login.hpp"
#include "protocols/qq_logout.hpp"
#include "protocols/qq_status.hpp"

using namespace qqgen;
using namespace qqgen::proto;

namespace {

struct captured {
    std::vector<std::vector<std::byte>> frames;
    std::map<std::uint32_t, tea_key> password;
    std::map<std::uint32_t, tea_key> session;
    control::sample_summary summary;
};

captured run(const control::sample_options& o) {
    captured c;
    c.summary = control::write_sample_sessions(
        o, [&](std::uint64_t, std::span<const std::byte> f) { c.frames.emplace_back(f.begin(), f.end()); },
        [&](std::uint32_t qq, std::string_view kind, const tea_key& k) {
            (kind == "password" ? c.password : c.session)[qq] = k;
        });
    return c;
}

std::vector<std::byte> decrypt(const tea_key& key, const_byte_span cipher) {
    std::vector<std::byte> out(cipher.size());
    auto r = tea_decrypt(key, cipher, out);
    if (!r) return {};
    out.resize(r.value);
    return out;
}

// What each user was seen doing, in order.
struct user_trace {
    std::vector<std::string> stages;
    std::uint32_t login_server = 0;  // where the OK came from
    tea_key initial_key;
    int logouts = 0;
};

}  // namespace

TEST_CASE("every sample frame decodes with the published keys", "[sample]") {
    for (auto dialect : {proto::dialect::modern, proto::dialect::classic}) {
        for (auto cs : {charset::gbk, charset::big5, charset::utf8}) {
            control::sample_options o;
            o.users = 4;
            o.messages = 6;
            o.text_charset = cs;
            o.dialect = dialect;
            captured c = run(o);
            REQUIRE(c.frames.size() == c.summary.frames);
            REQUIRE(c.password.size() == 4);
            REQUIRE(c.session.size() == 4);

            std::map<std::uint32_t, user_trace> users;
            std::map<std::uint16_t, std::uint32_t> client_port_to_qq;
            std::vector<std::string> sent_texts, relayed_texts;
            int dns_answers = 0;

            for (const auto& frame : c.frames) {
                auto parsed = parse_frame(frame);
                REQUIRE(parsed.ok());  // also verifies IP and UDP checksums
                REQUIRE(parsed.value.protocol == ip_protocol::udp);
                const auto& f = parsed.value;
                if (f.dst_port == 53) {
                    REQUIRE(decode_dns_query(f.payload).ok());
                    continue;
                }
                if (f.src_port == 53) {
                    auto r = decode_dns_response(f.payload);
                    REQUIRE(r.ok());
                    CHECK(r.value.address_count == 3);
                    ++dns_answers;
                    continue;
                }
                if (f.dst_port == 8000) {  // client -> server
                    auto p = decode_client_packet(f.payload);
                    REQUIRE(p.ok());
                    const auto& h = p.value.header;
                    client_port_to_qq[f.src_port] = h.qq_number;
                    user_trace& u = users[h.qq_number];
                    const tea_key& sk = c.session.at(h.qq_number);
                    const_byte_span body = p.value.body;
                    switch (h.command) {
                    case qq_command::request_login_token:
                        CHECK(p.value.signature == (dialect == proto::dialect::modern));
                        REQUIRE(decode_login_token_request(body.first(1)).ok());
                        u.stages.push_back("token");
                        break;
                    case qq_command::login: {
                        auto req = decode_login_request(body);
                        REQUIRE(req.ok());
                        auto key = tea_key_from_bytes(req.value.initial_key);
                        REQUIRE(key.ok());
                        u.initial_key = key.value;
                        auto block = decrypt(key.value, req.value.ciphertext);
                        auto b = decode_login_block(block);
                        REQUIRE(b.ok());
                        // The password check opens with the password key.
                        std::vector<std::byte> empty(16);
                        REQUIRE(tea_decrypt(c.password.at(h.qq_number), b.value.password_check, empty).ok());
                        u.stages.push_back("login");
                        break;
                    }
                    case qq_command::set_status:
                        REQUIRE(decode_set_status_request(decrypt(sk, body)).ok());
                        u.stages.push_back("status");
                        break;
                    case qq_command::get_friend_list:
                        REQUIRE(decode_friend_list_request(decrypt(sk, body)).ok());
                        u.stages.push_back("friends");
                        break;
                    case qq_command::get_friends_online:
                        REQUIRE(decode_online_friends_request(decrypt(sk, body)).ok());
                        u.stages.push_back("online");
                        break;
                    case qq_command::send_message: {
                        auto plain = decrypt(sk, body);
                        auto im = decode_send_im(plain);
                        REQUIRE(im.ok());
                        CHECK(im.value.header.sender_uid == h.qq_number);
                        sent_texts.emplace_back(reinterpret_cast<const char*>(im.value.message.text.data()),
                                                im.value.message.text.size());
                        u.stages.push_back("chat");
                        break;
                    }
                    case qq_command::receive_message:
                        REQUIRE(decode_recv_im_ack(decrypt(sk, body)).ok());
                        u.stages.push_back("ack");
                        break;
                    case qq_command::keep_alive:
                        REQUIRE(decode_keep_alive_request(decrypt(sk, body), keep_alive_uid_format::binary).ok());
                        u.stages.push_back("keepalive");
                        break;
                    case qq_command::logout: {
                        CHECK(h.sequence == logout_sequence);
                        auto lo = decode_logout(decrypt(sk, body));
                        REQUIRE(lo.ok());
                        CHECK(lo.value.password_key == c.password.at(h.qq_number).bytes);
                        ++u.logouts;
                        break;
                    }
                    default:
                        FAIL("unexpected client command " << static_cast<unsigned>(h.command));
                    }
                    continue;
                }
                REQUIRE(f.src_port == 8000);  // server -> client
                auto p = decode_server_packet(f.payload);
                REQUIRE(p.ok());
                std::uint32_t qq = client_port_to_qq.at(f.dst_port);
                user_trace& u = users[qq];
                const tea_key& sk = c.session.at(qq);
                const_byte_span body = p.value.body;
                switch (p.value.header.command) {
                case qq_command::request_login_token: {
                    // The signature form pads the body with zeros: the token's own
                    // length byte says where it ends.
                    auto t = decode_login_token_reply(body.first(2 + std::to_integer<std::size_t>(body[1])));
                    REQUIRE(t.ok());
                    CHECK(t.value.token.size() == login_token_usual_size);
                    break;
                }
                case qq_command::login: {
                    // The client tries the password key first, then the initial key.
                    auto plain = decrypt(c.password.at(qq), body);
                    if (plain.empty()) plain = decrypt(u.initial_key, body);
                    auto r = decode_login_reply(plain);
                    REQUIRE(r.ok());
                    if (r.value.kind == login_reply_kind::redirect) {
                        u.stages.push_back("redirected");
                    } else {
                        REQUIRE(r.value.kind == login_reply_kind::ok);
                        CHECK(r.value.ok.session_key == sk.bytes);
                        CHECK(r.value.ok.uid == qq);
                        u.stages.push_back("accepted");
                    }
                    break;
                }
                case qq_command::set_status:
                    REQUIRE(decode_set_status_reply(decrypt(sk, body)).ok());
                    break;
                case qq_command::get_friend_list: {
                    auto plain = decrypt(sk, body);  // the page's spans point into it
                    auto page = decode_friend_list_reply(plain);
                    REQUIRE(page.ok());
                    friend_entry_reader reader(page.value);
                    int n = 0;
                    while (!reader.done()) {
                        REQUIRE(reader.next().ok());
                        ++n;
                    }
                    CHECK(n == 1);  // the buddy
                    break;
                }
                case qq_command::get_friends_online:
                    REQUIRE(decode_online_friends_reply(decrypt(sk, body)).ok());
                    break;
                case qq_command::send_message:
                    REQUIRE(decode_send_im_reply(decrypt(sk, body)).ok());
                    break;
                case qq_command::receive_message: {
                    auto plain = decrypt(sk, body);
                    auto im = decode_recv_im(plain);
                    REQUIRE(im.ok());
                    CHECK(im.value.header.receiver_uid == qq);
                    relayed_texts.emplace_back(reinterpret_cast<const char*>(im.value.message.text.data()),
                                               im.value.message.text.size());
                    break;
                }
                case qq_command::keep_alive:
                    REQUIRE(decode_keep_alive_reply(decrypt(sk, body)).ok());
                    break;
                default:
                    FAIL("unexpected server command " << static_cast<unsigned>(p.value.header.command));
                }
            }

            CHECK(dns_answers == 4);
            CHECK(sent_texts == relayed_texts);
            CHECK(sent_texts.size() == 2 * o.messages);
            const std::vector<std::string> login_path{"token", "login", "redirected", "token", "login",
                                                      "accepted", "status", "friends", "online"};
            REQUIRE(users.size() == 4);
            for (auto& [qq, u] : users) {
                INFO("user " << qq);
                REQUIRE(u.stages.size() >= login_path.size());
                CHECK(std::vector<std::string>(u.stages.begin(), u.stages.begin() + 9) == login_path);
                CHECK(u.stages.back() == "keepalive");
                CHECK(u.logouts == logout_repeat_count);
            }
        }
    }
}

TEST_CASE("the sample is reproducible from its seed", "[sample]") {
    control::sample_options o;
    o.users = 3;
    o.seed = 7;
    auto a = run(o);
    auto b = run(o);
    CHECK(a.frames == b.frames);
    o.seed = 8;
    auto c = run(o);
    CHECK(a.frames != c.frames);
}

TEST_CASE("sample options are validated with the option named", "[sample]") {
    control::sample_options o;
    o.font = "comic";
    CHECK_THROWS_WITH(run(o), Catch::Contains("--font"));
    o = {};
    o.users = 0;
    CHECK_THROWS_WITH(run(o), Catch::Contains("--users"));
    o = {};
    o.font_size = 32;
    CHECK_THROWS_WITH(run(o), Catch::Contains("--font-size"));
}
