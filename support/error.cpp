// Internal errors (error.h).
#include "support/error.h"

#include <string_view>

namespace nnc {

void internal_error(const std::string& message, std::source_location where) {
    std::string_view file = where.file_name();
    if (size_t slash = file.find_last_of('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
    throw InternalError(message, std::string(file) + ":" + std::to_string(where.line()));
}

}  // namespace nnc
