#!/bin/sh
# Builds and runs the AOT examples from the repository root's build tree:
# trains the MLP with nnc (unless fashion_mlp.safetensors exists), compiles
# `classify` and `train_step` into C libraries, builds the C programs
# against them with cc, and runs both. Output goes to build/aot-examples.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
nnc="$root/build/tools/nnc"
out="$root/build/aot-examples"
mkdir -p "$out"
cd "$out"
[ -f fashion_mlp.safetensors ] || "$nnc" run "$root/examples/fashion_mlp.nn"
here="$root/examples/aot"
"$nnc" compile "$here/classifier.nn" --fn classify --weights fashion_mlp.safetensors --embed-weights -o "$out/libclassifier.so"
"$nnc" compile "$here/classifier.nn" --fn train_step --arg "o=optim.adam(m, lr = 1e-3)" --weights fashion_mlp.safetensors \
    --embed-weights -o "$out/libtrainer.so"
cc -std=c11 -O2 -Wall -Wextra -I"$out" -I"$here" "$here/classify.c" -L"$out" -lclassifier -lz -Wl,-rpath,"$out" -o classify
cc -std=c11 -O2 -Wall -Wextra -I"$out" -I"$here" "$here/finetune.c" -L"$out" -ltrainer -lz -Wl,-rpath,"$out" -o finetune
echo "nnc run:      $("$nnc" run "$here/classifier.nn")"
echo "C, compiled:  $(./classify)"
./finetune fashion_mlp.safetensors finetuned.safetensors
