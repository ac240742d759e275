/**
 * The part of ONNX's protobuf schema the exporter writes, as a protobufjs JSON descriptor (so it
 * ships inside the package and loads without a .proto parser or network access). Messages, field
 * names and numbers are those of onnx/onnx.proto (github.com/onnx/onnx, `onnx/onnx.proto`, MIT
 * licence in earlier releases, Apache-2.0 in current ones); fields the exporter never writes are left out, which
 * the wire format allows: a reader sees only the fields present. proto2, so repeated numbers are
 * not packed.
 */

const f = (type: string, id: number) => ({ type, id });
const list = (type: string, id: number, packed?: false) => ({ rule: 'repeated', type, id, ...(packed === false ? { options: { packed: false } } : {}) });

export const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: f('string', 1),
            type: f('int32', 20),
            f: f('float', 2),
            i: f('int64', 3),
            s: f('bytes', 4),
            t: f('TensorProto', 5),
            ints: list('int64', 8, false),
          },
        },
        ValueInfoProto: { fields: { name: f('string', 1), type: f('TypeProto', 2), doc_string: f('string', 3) } },
        NodeProto: {
          fields: {
            input: list('string', 1),
            output: list('string', 2),
            name: f('string', 3),
            op_type: f('string', 4),
            domain: f('string', 7),
            attribute: list('AttributeProto', 5),
            doc_string: f('string', 6),
          },
        },
        ModelProto: {
          fields: {
            ir_version: f('int64', 1),
            opset_import: list('OperatorSetIdProto', 8),
            producer_name: f('string', 2),
            producer_version: f('string', 3),
            domain: f('string', 4),
            model_version: f('int64', 5),
            doc_string: f('string', 6),
            graph: f('GraphProto', 7),
            metadata_props: list('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        GraphProto: {
          fields: {
            node: list('NodeProto', 1),
            name: f('string', 2),
            initializer: list('TensorProto', 5),
            doc_string: f('string', 10),
            input: list('ValueInfoProto', 11),
            output: list('ValueInfoProto', 12),
          },
        },
        TensorProto: {
          fields: { dims: list('int64', 1, false), data_type: f('int32', 2), name: f('string', 8), doc_string: f('string', 12), raw_data: f('bytes', 9) },
        },
        TensorShapeProto: {
          fields: { dim: list('Dimension', 1) },
          nested: {
            Dimension: { oneofs: { value: { oneof: ['dim_value', 'dim_param'] } }, fields: { dim_value: f('int64', 1), dim_param: f('string', 2) } },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: { tensor_type: f('Tensor', 1) },
          nested: { Tensor: { fields: { elem_type: f('int32', 1), shape: f('TensorShapeProto', 2) } } },
        },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
      },
    },
  },
};

/** TensorProto.DataType values (onnx.proto). */
export const ONNX_FLOAT = 1;
export const ONNX_DOUBLE = 11;
/** AttributeProto.AttributeType values (onnx.proto). */
export const ONNX_ATTRIBUTE = { FLOAT: 1, INT: 2 } as const;
