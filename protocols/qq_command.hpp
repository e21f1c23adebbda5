// QQ command codes and client version numbers.
//
// Commands: tshark 4.0's OICQ table (Wireshark epan/dissectors/packet-oicq.c,
// oicq_command_vals; checked against `tshark -G values` of tshark 4.0.17),
// plus the login commands pidgin 2.7 libqq qq_define.h and LumaQQ add
// (0x0091, 0x00BA, 0x00DD), which tshark does not know (qq-protocol.md
// "Commands").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qqgen::proto {

enum class qq_command : std::uint16_t {
    logout = 0x0001,
    keep_alive = 0x0002,
    update_info = 0x0004,
    search_user = 0x0005,
    get_user_info = 0x0006,
    add_friend_no_auth = 0x0009,
    delete_user = 0x000A,
    add_friend_by_auth = 0x000B,
    set_status = 0x000D,
    ack_system_message = 0x0012,
    send_message = 0x0016,
    receive_message = 0x0017,
    retrieve_information = 0x0018,
    reserved_001a = 0x001A,
    delete_me = 0x001C,
    request_key = 0x001D,
    cell_phone_0021 = 0x0021,
    login = 0x0022,
    get_friend_list = 0x0026,
    get_friends_online = 0x0027,
    cell_phone_0029 = 0x0029,
    group_operation = 0x0030,
    login_test = 0x0031,
    group_name_operation = 0x003C,
    upload_group_friend = 0x003D,
    memo_operation = 0x003E,
    download_group_friend = 0x0058,
    get_level = 0x005C,
    request_login_token = 0x0062,
    request_extra_info = 0x0065,
    signature_operation = 0x0067,
    receive_system_message = 0x0080,
    friend_status_change = 0x0081,
    get_server = 0x0091,        // pidgin 2.7 QQ_CMD_GET_SERVER (QQ2007)
    request_login_token_ex = 0x00BA,  // pidgin 2.7 QQ_CMD_TOKEN_EX (QQ2006+)
    password_check = 0x00DD,    // pidgin 2.7 QQ_CMD_CHECK_PWD (QQ2007+)
    friends_status_in_group = 0x00B5,
    withdraw_message = 0x03F7,
};

constexpr std::uint16_t code(qq_command c) noexcept { return static_cast<std::uint16_t>(c); }

struct command_info {
    std::uint16_t code;
    std::string_view name;  // tshark's text where tshark knows the command
    bool in_tshark;         // in tshark 4.0's oicq.command value table
};

// Sorted by code. tshark's names are kept verbatim, spelling and the trailing
// space of "Reserved " included, so they compare equal to tshark's output.
inline constexpr std::array<command_info, 38> command_table{{
    {0x0001, "Log out", true},
    {0x0002, "Heart Message", true},
    {0x0004, "Update User information", true},
    {0x0005, "Search user", true},
    {0x0006, "Get User informationBroadcast", true},
    {0x0009, "Add friend no auth", true},
    {0x000A, "Delete user", true},
    {0x000B, "Add friend by auth", true},
    {0x000D, "Set status", true},
    {0x0012, "Confirmation of receiving message from server", true},
    {0x0016, "Send message", true},
    {0x0017, "Receive message", true},
    {0x0018, "Retrieve information", true},
    {0x001A, "Reserved ", true},
    {0x001C, "Delete Me", true},
    {0x001D, "Request KEY", true},
    {0x0021, "Cell Phone", true},
    {0x0022, "Log in", true},
    {0x0026, "Get friend list", true},
    {0x0027, "Get friend online", true},
    {0x0029, "Cell PHONE", true},
    {0x0030, "Operation on group", true},
    {0x0031, "Log in test", true},
    {0x003C, "Group name operation", true},
    {0x003D, "Upload group friend", true},
    {0x003E, "MEMO Operation", true},
    {0x0058, "Download group friend", true},
    {0x005C, "Get level", true},
    {0x0062, "Request login", true},
    {0x0065, "Request extra information", true},
    {0x0067, "Signature operation", true},
    {0x0080, "Receive system message", true},
    {0x0081, "Get status of friend", true},
    {0x0091, "Get server", false},
    {0x00B5, "Get friend's status of group", true},
    {0x00BA, "Request login token ex", false},
    {0x00DD, "Password check", false},
    // In the table of the installed tshark 4.0.17 (qq-protocol.md calls it
    // "newer tables only": older 4.0 builds may lack it).
    {0x03F7, "Withdraw message", true},
}};

inline constexpr std::size_t no_command = command_table.size();

// Index of the code in command_table, or no_command. (An index, not a
// pointer: GCC's UBSan build rejects pointer tests in constant expressions.)
constexpr std::size_t find_command(std::uint16_t c) noexcept {
    // Binary search: the table is sorted (static_assert in qq_command.cpp).
    std::size_t lo = 0, hi = command_table.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (command_table[mid].code < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < command_table.size() && command_table[lo].code == c ? lo : no_command;
}

// Whether qqgen knows the command (tshark's table or the pidgin/LumaQQ extras).
constexpr bool is_known_command(std::uint16_t c) noexcept { return find_command(c) != no_command; }

// Whether tshark 4.0 shows a packet with this command as OICQ: its dissector
// accepts byte 0 = 0x02 and a command in its table (qq-protocol.md "What DPI
// engines check").
constexpr bool tshark_knows(std::uint16_t c) noexcept {
    const std::size_t i = find_command(c);
    return i != no_command && command_table[i].in_tshark;
}

// tshark-style name; "Unknown" for codes qqgen does not know.
constexpr std::string_view command_name(std::uint16_t c) noexcept {
    const std::size_t i = find_command(c);
    return i != no_command ? command_table[i].name : std::string_view{"Unknown"};
}
constexpr std::string_view command_name(qq_command c) noexcept { return command_name(code(c)); }

// Client version numbers seen in the version field (qq-protocol.md
// "Framing"; pidgin qq_define.h QQ_CLIENT_*; libqq header_info.c).
namespace qq_version {
inline constexpr std::uint16_t qq2000c_062e = 0x062E;
inline constexpr std::uint16_t qq2000c_072e = 0x072E;
inline constexpr std::uint16_t qq2000c_0801 = 0x0801;
inline constexpr std::uint16_t qq2003_0a1d = 0x0A1D;
inline constexpr std::uint16_t qq2003_0b07 = 0x0B07;
inline constexpr std::uint16_t qq2003_0b2f = 0x0B2F;
inline constexpr std::uint16_t qq2003_0b35 = 0x0B35;
inline constexpr std::uint16_t qq2003_0b37 = 0x0B37;
inline constexpr std::uint16_t qq2004_0c0b = 0x0C0B;
inline constexpr std::uint16_t qq2004_0c0d = 0x0C0D;
inline constexpr std::uint16_t qq2004_0c21 = 0x0C21;
inline constexpr std::uint16_t qq2004_0c49 = 0x0C49;
inline constexpr std::uint16_t qq2005_0d05 = 0x0D05;
inline constexpr std::uint16_t qq2005_0d51 = 0x0D51;
inline constexpr std::uint16_t qq2005_0d55 = 0x0D55;
inline constexpr std::uint16_t qq2005_0d61 = 0x0D61;
inline constexpr std::uint16_t qq_0e1b = 0x0E1B;
inline constexpr std::uint16_t qq_0e35 = 0x0E35;
inline constexpr std::uint16_t qq2006_0f15 = 0x0F15;
inline constexpr std::uint16_t qq2006_0f4b = 0x0F4B;
inline constexpr std::uint16_t qq2006_0f5f = 0x0F5F;
inline constexpr std::uint16_t qq2007_1105 = 0x1105;
inline constexpr std::uint16_t qq2007_111d = 0x111D;
inline constexpr std::uint16_t qq2008_115b = 0x115B;
inline constexpr std::uint16_t qq2008_1203 = 0x1203;
inline constexpr std::uint16_t qq2008_1205 = 0x1205;
inline constexpr std::uint16_t qq2008_120b = 0x120B;
inline constexpr std::uint16_t qqmac_1412 = 0x1412;
inline constexpr std::uint16_t qq2009_1441 = 0x1441;
inline constexpr std::uint16_t qq2009_1663 = 0x1663;
inline constexpr std::uint16_t qq2009_1801 = 0x1801;
// The version pidgin 2.4 sends (qq_define.h QQ_CLIENT_0D55): qqgen's classic.
inline constexpr std::uint16_t pidgin_2_4 = qq2005_0d55;
// nDPI >= 4.8's OICQ dissector accepts only this version (its own sample).
inline constexpr std::uint16_t ndpi_oicq = 0x3B0B;

inline constexpr std::array<std::uint16_t, 31> all_clients{
    qq2000c_062e, qq2000c_072e, qq2000c_0801, qq2003_0a1d, qq2003_0b07, qq2003_0b2f, qq2003_0b35, qq2003_0b37,
    qq2004_0c0b,  qq2004_0c0d,  qq2004_0c21,  qq2004_0c49, qq2005_0d05, qq2005_0d51, qq2005_0d55, qq2005_0d61,
    qq_0e1b,      qq_0e35,      qq2006_0f15,  qq2006_0f4b, qq2006_0f5f, qq2007_1105, qq2007_111d, qq2008_115b,
    qq2008_1203,  qq2008_1205,  qq2008_120b,  qqmac_1412,  qq2009_1441, qq2009_1663, qq2009_1801};
}  // namespace qq_version

}  // namespace qqgen::proto
