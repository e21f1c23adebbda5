#include "protocols/qq_command.hpp"

// The command table is all constexpr; this unit holds its compile-time checks.
namespace qqgen::proto {
namespace {

constexpr bool table_sorted() {
    for (std::size_t i = 1; i < command_table.size(); ++i)
        if (command_table[i - 1].code >= command_table[i].code) return false;
    return true;
}
static_assert(table_sorted(), "command_table must be sorted by code for find_command");

constexpr bool enum_matches_table() {
    constexpr qq_command all[] = {
        qq_command::logout, qq_command::keep_alive, qq_command::update_info, qq_command::search_user,
        qq_command::get_user_info, qq_command::add_friend_no_auth, qq_command::delete_user,
        qq_command::add_friend_by_auth, qq_command::set_status, qq_command::ack_system_message,
        qq_command::send_message, qq_command::receive_message, qq_command::retrieve_information,
        qq_command::reserved_001a, qq_command::delete_me, qq_command::request_key, qq_command::cell_phone_0021,
        qq_command::login, qq_command::get_friend_list, qq_command::get_friends_online,
        qq_command::cell_phone_0029, qq_command::group_operation, qq_command::login_test,
        qq_command::group_name_operation, qq_command::upload_group_friend, qq_command::memo_operation,
        qq_command::download_group_friend, qq_command::get_level, qq_command::request_login_token,
        qq_command::request_extra_info, qq_command::signature_operation, qq_command::receive_system_message,
        qq_command::friend_status_change, qq_command::get_server, qq_command::friends_status_in_group,
        qq_command::request_login_token_ex, qq_command::password_check, qq_command::withdraw_message};
    if (std::size(all) != command_table.size()) return false;
    for (qq_command c : all)
        if (!is_known_command(code(c))) return false;
    return true;
}
static_assert(enum_matches_table(), "every qq_command needs a command_table row and vice versa");

static_assert(!tshark_knows(0x0091) && !tshark_knows(0x00BA) && !tshark_knows(0x00DD),
              "pidgin/LumaQQ extras are not in tshark's table (qq-protocol.md \"Commands\")");
static_assert(tshark_knows(0x0062) && command_name(0x0062) == "Request login");

}  // namespace
}  // namespace qqgen::proto
