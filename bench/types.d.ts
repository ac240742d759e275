/**
 * The parts of synaptic 1.1.4 the benchmark uses (the package ships no type declarations).
 * brain.js and TensorFlow.js ship their own.
 */
declare module 'synaptic' {
  export class Connection {
    ID: number;
    from: Neuron;
    to: Neuron;
    weight: number;
  }

  export class Neuron {
    ID: number;
    bias: number;
    connections: { inputs: Record<string, Connection>; projected: Record<string, Connection>; gated: Record<string, Connection> };
  }

  export class Layer {
    size: number;
    list: Neuron[];
  }

  export class Network {
    layers: { input: Layer; hidden: Layer[]; output: Layer };
    /** Forward pass; the first call compiles the whole network into one generated function. */
    activate(input: ArrayLike<number>): number[];
    /** Backward pass and update, with learning rate `rate`, towards `target`. */
    propagate(rate: number, target: ArrayLike<number>): void;
  }

  export namespace Architect {
    /** A fully connected feed-forward network: input size, hidden sizes…, output size. */
    class Perceptron extends Network {
      constructor(...sizes: number[]);
    }
  }
}
