// A main for the fuzz targets where libFuzzer is not available (GCC
// builds): runs LLVMFuzzerTestOneInput on each file named, or on every file
// in each directory named, and prints how many it ran. Options (`-runs=0`,
// which libFuzzer needs to only replay) are ignored. A crash or a sanitizer
// report fails the run, as it would under libFuzzer.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 0;
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] == '-') continue;
        const std::filesystem::path arg(argv[i]);
        if (std::filesystem::is_directory(arg)) {
            for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
                if (entry.is_regular_file()) run_file(entry.path()), ++runs;
        } else {
            run_file(arg), ++runs;
        }
    }
    std::printf("replayed %d inputs\n", runs);
    return 0;
}
