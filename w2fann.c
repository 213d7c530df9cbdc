#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <floatfann.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  long updates = atol(argv[1]);
  fann_type x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0};
  struct fann *ann = fann_create_standard(3, 2, 4, 1);
  fann_set_activation_function_hidden(ann, FANN_SIGMOID);
  fann_set_activation_function_output(ann, FANN_SIGMOID);
  fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
  fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
  fann_set_learning_rate(ann, 0.5f);
  fann_set_learning_momentum(ann, 0.0f);
  for (int rep=0; rep<5; rep++){
  double t0 = now();
  for (long i = 0; i < updates; i++) fann_train(ann, x[i & 3], &y[i & 3]);
  printf("%.1f ", (now()-t0)*1e9/updates);}
  printf("\n");
  return 0;
}
