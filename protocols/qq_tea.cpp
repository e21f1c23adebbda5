#include "protocols/qq_tea.hpp"
