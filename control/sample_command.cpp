// `qqgen sample`: complete QQ user sessions written to a pcap, with a key log.
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "control/commands.hpp"
#include "control/key_log.hpp"
#include "control/pcap_file.hpp"
#include "control/sample_session.hpp"

namespace qqgen::control {

namespace po = boost::program_options;

int sample_command(int argc, char** argv) {
    sample_options o;
    std::string out = "sample.pcap";
    std::string keylog;
    std::string charset_name = "gbk";
    std::string dialect_name = "modern";
    std::string color = "000000";
    unsigned font_size = 0;

    po::options_description opts(
        "usage: qqgen sample [options]\n\n"
        "Writes complete QQ-over-UDP user sessions to a pcap using the protocol library\n"
        "alone: DNS look-up of the login server, token, a login redirected to a second\n"
        "server (the deferred login) and accepted there, set status, friend list, online\n"
        "friends, a chat between buddies (send, server relay as 0x0017, acks), keep-alive\n"
        "and logout. The same seed gives a byte-identical pcap.\n\noptions");
    opts.add_options()
        ("help,h", "this text")
        ("users,u", po::value(&o.users)->default_value(o.users), "number of users (buddy pairs: 0-1, 2-3, ...)")
        ("messages,m", po::value(&o.messages)->default_value(o.messages), "chat messages per buddy pair")
        ("charset,c", po::value(&charset_name)->default_value(charset_name), "chat text charset: gbk, gb18030, big5, utf-8")
        ("font,f", po::value(&o.font)->default_value(o.font), "font: simsun, yahei, simhei, kaiti, mingliu, tahoma (or its Chinese name)")
        ("font-size", po::value(&font_size)->default_value(0), "font size 1..31 (0: the font's default)")
        ("bold", po::bool_switch(&o.bold), "bold text")
        ("italic", po::bool_switch(&o.italic), "italic text")
        ("underline", po::bool_switch(&o.underline), "underlined text")
        ("color", po::value(&color)->default_value(color), "text colour as RRGGBB hex")
        ("dialect", po::value(&dialect_name)->default_value(dialect_name),
         "classic (byte for byte pidgin 2.4) or modern (adds the newer-client signature DPI engines key on)")
        ("seed,s", po::value(&o.seed)->default_value(o.seed), "seed of every key, token and padding byte")
        ("out,o", po::value(&out)->default_value(out), "pcap file to write")
        ("keylog,k", po::value(&keylog), "also write the keys (QQ-NUMBER KIND KEY-HEX per line) to this file");

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "qqgen sample: " << e.what() << "\n(see qqgen sample --help)\n";
        return 2;
    }
    if (vm.count("help") != 0) {
        std::cout << opts << '\n';
        return 0;
    }
    auto cs = proto::parse_charset(charset_name);
    if (!cs) {
        std::cerr << "qqgen sample: --charset: unknown charset '" << charset_name << "' (" << proto::charset_names_hint()
                  << ")\n";
        return 2;
    }
    o.text_charset = *cs;
    if (dialect_name == "classic") o.dialect = proto::dialect::classic;
    else if (dialect_name == "modern") o.dialect = proto::dialect::modern;
    else {
        std::cerr << "qqgen sample: --dialect: expected classic or modern, found '" << dialect_name << "'\n";
        return 2;
    }
    if (font_size > 31) {
        std::cerr << "qqgen sample: --font-size: expected 0..31, found " << font_size << '\n';
        return 2;
    }
    o.font_size = static_cast<std::uint8_t>(font_size);
    std::size_t used = 0;
    try {
        o.color = static_cast<std::uint32_t>(std::stoul(color, &used, 16));
    } catch (const std::exception&) {
        used = 0;
    }
    if (color.size() != 6 || used != 6) {
        std::cerr << "qqgen sample: --color: expected six hex digits RRGGBB, found '" << color << "'\n";
        return 2;
    }

    pcap_file pcap(out);
    key_log keys;
    sample_summary s;
    try {
        s = write_sample_sessions(
            o, [&](std::uint64_t t, std::span<const std::byte> f) { pcap.write(t, f); },
            [&](std::uint32_t qq, std::string_view kind, const proto::tea_key& key) { keys.add(qq, kind, key.bytes); });
    } catch (const std::invalid_argument& e) {
        std::cerr << "qqgen sample: " << e.what() << '\n';
        return 2;
    }
    pcap.close();
    if (!keylog.empty()) keys.write_file(keylog);

    std::printf("qqgen sample: %u users, %llu frames (%llu bytes): %llu QQ packets, %llu DNS packets, "
                "%llu redirects, %llu chat messages\n",
                s.users, static_cast<unsigned long long>(s.frames), static_cast<unsigned long long>(s.bytes),
                static_cast<unsigned long long>(s.qq_packets), static_cast<unsigned long long>(s.dns_packets),
                static_cast<unsigned long long>(s.redirects), static_cast<unsigned long long>(s.messages));
    std::printf("  pcap: %s\n", out.c_str());
    if (!keylog.empty()) std::printf("  keys: %s\n", keylog.c_str());
    return 0;
}

}  // namespace qqgen::control
