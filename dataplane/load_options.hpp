// The session engine's load parameters on qqgen-dataplane's command line.
//
// Until the control process hands profiles over shared memory (the control
// issue), the dataplane takes its load from the command line. The options fill
// one engine::load_settings, the plain struct a profile will later fill.
#pragma once

#include <boost/program_options.hpp>

#include <string>

#include "dataplane/engine/load_settings.hpp"

namespace qqgen::dataplane {

// What the options hold before they are checked and turned into settings.
struct load_options {
    engine::load_settings settings;
    std::string client_net;
    std::string dns_server;
    std::string login_servers;  // comma-separated addresses
    std::string message_delay;  // "MIN-MAX" in ms
    std::string charset_weights;
    std::string font_weights;
    std::string dialect = "modern";
    std::string client_mac, server_mac, client_next_hop, server_next_hop;
    std::string client_gateway, server_gateway, client_interface, server_interface;
    double redirect_percent = 20.0;
    std::string keylog_path;
    bool ipv6 = false;
    unsigned resend_tries = 5;  // uint8_t in the settings: Boost would read it as a character
    double tcp_percent = 0.0;
    std::string tcp_closer = "client";
    std::string apps;  // "KIND=RATE[/TOTAL],...": the companion applications
};

// Adds the load options (users, rate, chat, keep-alive, addresses...) to `d`.
void describe_load_options(boost::program_options::options_description& d, load_options& o);

// Turns the parsed options into o.settings; returns an error naming the option
// and what to change, or an empty string.
std::string finish_load_options(load_options& o);

}  // namespace qqgen::dataplane
