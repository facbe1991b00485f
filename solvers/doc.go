// Package solvers trains models, in Caffe's sense of "solver": optimizers
// (SGD, momentum, Nesterov, Adam, AdamW) with weight decay written once,
// learning-rate schedules as values, gradient-norm clipping, and the
// training loop with evaluation, progress, metrics, checkpoints and exact
// resume.
package solvers
