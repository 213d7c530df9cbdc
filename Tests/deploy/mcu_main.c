/* A minimal Cortex-M4 program around one generated model, to measure what it takes in flash and
   RAM once linked (Tests/deploy/test_deploy.sh). MODEL_HEADER and the PREDICT macros name the model. */
#include MODEL_HEADER

volatile float input[MODEL_INPUTS];
volatile float output[MODEL_OUTPUTS];

int main(void)
{
    float x[MODEL_INPUTS], y[MODEL_OUTPUTS];
    int k;
    for (k = 0; k < MODEL_INPUTS; k++) x[k] = input[k];
    if (MODEL_PREDICT(x, y) != 0) return 1;
    for (k = 0; k < MODEL_OUTPUTS; k++) output[k] = y[k];
    return 0;
}
