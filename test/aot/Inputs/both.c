/* Two compiled libraries in one program: both headers in one translation
 * unit (C11 and C++17), and a context of each, created one after the other
 * from the same stack position, running with its own signature. */
#include "mlp.h"
#include "train.h"

int main(void) {
    train_context* t = 0;
    mlp_context* m = 0;
    static float x[784], logits[10];
    float loss = 0;
    int32_t y = 3;
    if (train_create(0, &t) != NNC_OK || mlp_create(0, &m) != NNC_OK) return 1;
    if (mlp_run(m, 1, x, logits) != NNC_OK) return 2;
    if (train_run(t, 1, x, &y, &loss) != NNC_OK) return 3;
    mlp_destroy(m);
    train_destroy(t);
    return mlp_num_inputs() + train_num_inputs() == 3 ? 0 : 4;
}
