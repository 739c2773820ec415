using System.Buffers.Binary;
using System.Text;

namespace Portal.Core.Rlthf;

/// <summary>ONNX tensor element types used here (values of onnx.TensorProto.DataType).</summary>
public enum OnnxElementType
{
    /// <summary>float32.</summary>
    Real32 = 1,

    /// <summary>int64.</summary>
    Signed64 = 7,
}

/// <summary>
/// Writes a small ONNX model (onnx.ModelProto, IR version 8, default opset 13) as protocol buffers by hand: inputs, outputs,
/// initializers, nodes with integer attributes and string metadata are all a linear reward model needs, so no protobuf or
/// onnx package is pulled in for it. Field numbers are those of onnx/onnx.proto.
/// </summary>
/// <remarks>A dimension given as a string is symbolic (a batch size, say); as a number, fixed.</remarks>
public sealed class OnnxModelBuilder
{
    private readonly List<byte[]> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];

    public string GraphName { get; init; } = "portal_reward_model";

    public OnnxModelBuilder AddInput(string name, OnnxElementType type, params object[] dims)
    {
        _inputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder AddOutput(string name, OnnxElementType type, params object[] dims)
    {
        _outputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var copy = values.ToArray();
        return AddInitializer(name, OnnxElementType.Real32, dims, copy.Length * sizeof(float), bytes =>
        {
            for (var i = 0; i < copy.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), copy[i]);
            }
        });
    }

    public OnnxModelBuilder AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        var copy = values.ToArray();
        return AddInitializer(name, OnnxElementType.Signed64, dims, copy.Length * sizeof(long), bytes =>
        {
            for (var i = 0; i < copy.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), copy[i]);
            }
        });
    }

    /// <summary>A node; <paramref name="intAttributes"/> become INT attributes (keepdims = 0, say).</summary>
    public OnnxModelBuilder AddNode(string opType, string[] inputs, string[] outputs, params (string Name, long Value)[] intAttributes)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }
        foreach (var output in outputs)
        {
            node.String(2, output);
        }
        node.String(3, $"{opType}_{_nodes.Count}");
        node.String(4, opType);
        foreach (var (name, value) in intAttributes)
        {
            var attribute = new Proto();
            attribute.String(1, name);
            attribute.Varint(3, (ulong)value);
            attribute.Varint(20, 2); // AttributeProto.INT
            node.Bytes(5, attribute.ToArray());
        }
        _nodes.Add(node.ToArray());
        return this;
    }

    /// <summary>A metadata_props entry (InferenceSession.ModelMetadata.CustomMetadataMap reads it back).</summary>
    public OnnxModelBuilder AddMetadata(string key, string value)
    {
        _metadata.Add(new(key, value));
        return this;
    }

    public byte[] ToBytes()
    {
        var graph = new Proto();
        _nodes.ForEach(n => graph.Bytes(1, n));
        graph.String(2, GraphName);
        _initializers.ForEach(t => graph.Bytes(5, t));
        _inputs.ForEach(v => graph.Bytes(11, v));
        _outputs.ForEach(v => graph.Bytes(12, v));

        var opset = new Proto();
        opset.Varint(2, 13);

        var model = new Proto();
        model.Varint(1, 8); // IR version 8
        model.String(2, "Portal");
        model.String(3, "1");
        model.Bytes(7, graph.ToArray());
        model.Bytes(8, opset.ToArray());
        foreach (var (key, value) in _metadata)
        {
            var entry = new Proto();
            entry.String(1, key);
            entry.String(2, value);
            model.Bytes(14, entry.ToArray());
        }
        return model.ToArray();
    }

    private OnnxModelBuilder AddInitializer(string name, OnnxElementType type, long[] dims, int byteCount, Action<byte[]> fill)
    {
        var raw = new byte[byteCount];
        fill(raw);
        var tensor = new Proto();
        foreach (var d in dims)
        {
            tensor.Varint(1, (ulong)d);
        }
        tensor.Varint(2, (ulong)type);
        tensor.String(8, name);
        tensor.Bytes(9, raw);
        _initializers.Add(tensor.ToArray());
        return this;
    }

    private static byte[] ValueInfo(string name, OnnxElementType type, object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
        {
            var dim = new Proto();
            switch (d)
            {
                case string symbol:
                    dim.String(2, symbol);
                    break;
                case int or long:
                    dim.Varint(1, (ulong)Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"Dimension {d} is neither a number nor a name.", nameof(dims));
            }
            shape.Bytes(1, dim.ToArray());
        }
        var tensorType = new Proto();
        tensorType.Varint(1, (ulong)type);
        tensorType.Bytes(2, shape.ToArray());
        var typeProto = new Proto();
        typeProto.Bytes(1, tensorType.ToArray());
        var info = new Proto();
        info.String(1, name);
        info.Bytes(2, typeProto.ToArray());
        return info.ToArray();
    }

    /// <summary>Protocol buffers wire format: varint (wire type 0) and length-delimited (wire type 2) fields.</summary>
    private sealed class Proto
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new();

        public void Varint(int field, ulong value)
        {
            WriteVarint(((ulong)field << 3) | 0);
            WriteVarint(value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            WriteVarint(((ulong)field << 3) | 2);
            WriteVarint((ulong)value.Length);
            System.Buffers.BuffersExtensions.Write(_buffer, value);
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            WriteByte((byte)value);
        }

        private void WriteByte(byte b)
        {
            _buffer.GetSpan(1)[0] = b;
            _buffer.Advance(1);
        }
    }
}
