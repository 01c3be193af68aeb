#!/usr/bin/env bash
# Installs the Debian packages nnc needs to build and test, if any are
# missing. Quiet when everything is present. Needs root (or sudo) to install.
set -euo pipefail

packages=(
  build-essential cmake ninja-build python3 python3-numpy
  re2c bison
  llvm-19-dev llvm-19-tools libzstd-dev
  libboost-program-options-dev libedit-dev nlohmann-json3-dev libgtest-dev
  libdnnl-dev ocl-icd-opencl-dev zlib1g-dev
  clang-19 libclang-rt-19-dev libomp-19-dev   # scripts/sanitize.sh, scripts/fuzz.sh
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
