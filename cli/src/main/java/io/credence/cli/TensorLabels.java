package io.credence.cli;

import java.util.List;

/**
 * Names for the values of a model's tensors, as its model card gives them: the columns of an input
 * (the last dimension of {@code features}: {@code petal_length}, …) and the classes of an output
 * (the last dimension of {@code probabilities}: {@code Iris-setosa}, …). Empty lists where the card
 * names nothing, so an unlabelled tensor prints its plain values.
 */
interface TensorLabels {
  /** No card: nothing is labelled. */
  TensorLabels NONE =
      new TensorLabels() {
        @Override
        public List<String> columns(String tensor) {
          return List.of();
        }

        @Override
        public List<String> classes(String tensor) {
          return List.of();
        }
      };

  /** The names of the input tensor {@code tensor}'s columns, in order; empty when unknown. */
  List<String> columns(String tensor);

  /** The names of the output tensor {@code tensor}'s classes, in order; empty when unknown. */
  List<String> classes(String tensor);
}
