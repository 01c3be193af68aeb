// Out-of-line members of the evaluator's heap objects.
#include "interp/objects.h"

namespace nnc {

ModelInstance::Field* ModelInstance::find(const std::string& name) {
    for (auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace nnc
