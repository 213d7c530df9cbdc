// Plexus from C++17: the C header used as is, wrapped in a small RAII class that turns statuses
// into exceptions. Build: c++ -std=c++17 xor.cpp -Iinclude -lplexus
#include "plexus.h"

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Throws with the library's message when a call fails.
void check(plexus_status status, const char *call) {
    if (status != PLEXUS_OK) {
        throw std::runtime_error(std::string(call) + ": " + plexus_status_name(status) + ": " + plexus_last_error());
    }
}

class Network {
public:
    Network(const std::vector<uint32_t> &sizes, const std::vector<plexus_activation> &activations, uint64_t seed) {
        plexus_net *raw = nullptr;
        check(plexus_create(sizes.data(), activations.data(), sizes.size(), 0, seed, &raw), "plexus_create");
        net_.reset(raw);
        outputs_ = sizes.back();
    }

    void loss(plexus_loss loss) { check(plexus_set_loss(net_.get(), loss), "plexus_set_loss"); }
    void adam(float lr) { check(plexus_set_adam(net_.get(), lr, 0.9f, 0.999f, 1e-8f), "plexus_set_adam"); }

    void train(const std::vector<float> &x, const std::vector<float> &y, size_t n, size_t epochs) {
        check(plexus_train(net_.get(), x.data(), y.data(), n, epochs, n, 1, nullptr, nullptr), "plexus_train");
    }

    std::vector<float> predict(const std::vector<float> &x, size_t rows) const {
        std::vector<float> y(rows * outputs_);
        check(plexus_predict(net_.get(), x.data(), rows, y.data()), "plexus_predict");
        return y;
    }

private:
    struct Free {
        void operator()(plexus_net *net) const { plexus_free(net); }
    };
    std::unique_ptr<plexus_net, Free> net_;
    size_t outputs_ = 0;
};

}  // namespace

int main() {
    try {
        const std::vector<float> x = {0, 0, 0, 1, 1, 0, 1, 1}, y = {0, 1, 1, 0};
        Network net({2, 4, 1}, {PLEXUS_TANH, PLEXUS_SIGMOID}, 42);
        net.loss(PLEXUS_BINARY_CROSS_ENTROPY);
        net.adam(0.05f);
        net.train(x, y, 4, 500);
        const auto out = net.predict(x, 4);
        int correct = 0;
        for (size_t i = 0; i < 4; i++) {
            std::printf("%g XOR %g = %.3f\n", x[2 * i], x[2 * i + 1], out[i]);
            correct += (out[i] > 0.5f) == (y[i] > 0.5f);
        }
        std::printf("C++: %d of 4 correct\n", correct);
        return correct == 4 ? 0 : 2;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    }
}
