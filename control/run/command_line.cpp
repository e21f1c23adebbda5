#include "control/run/command_line.hpp"

#include <iostream>

namespace qqgen::control {

namespace po = boost::program_options;

int parse_command_line(const char* name, int argc, char** argv, po::options_description& opts,
                       std::string* profile) {
    po::options_description all;
    all.add(opts);
    po::options_description hidden;
    po::positional_options_description pos;
    if (profile != nullptr) {
        hidden.add_options()("profile", po::value(profile));
        all.add(hidden);
        pos.add("profile", 1);
    }
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "qqgen " << name << ": " << e.what() << "\n(see qqgen " << name << " --help)\n";
        return 2;
    }
    if (vm.count("help") != 0) {
        std::cout << opts << '\n';
        return 0;
    }
    if (profile != nullptr && profile->empty()) {
        std::cerr << "qqgen " << name << ": which profile? e.g. qqgen " << name << " configs/quickstart.yaml\n";
        return 2;
    }
    return -1;
}

}  // namespace qqgen::control
