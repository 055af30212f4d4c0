//! Rewrites the model graph before ONNX Runtime loads it, so the same model runs faster.
//!
//! The shipped model is a plain export: every operation is a separate node, which ONNX
//! Runtime's own optimiser fuses only in part. Measured per call, most of the time went to
//! element-wise passes over the `[batch, heads, len, len]` attention scores and to f32
//! matrix products. Three passes fix that:
//!
//! - **int8 products** (optional, `int8_matmul`): the file stores every weight matrix as
//!   int8 `W` with one f32 scale per output column `s`, and the graph expands it to f32:
//!   `MatMul(X, Mul(Cast(W), s))`. Each becomes ONNX Runtime's
//!   `com.microsoft.DynamicQuantizeMatMul(X, W, s)`: the same int8 weights and scales, with
//!   `X` quantised to uint8 per call, so the product runs on the CPU's int8 dot-product
//!   instructions. The weights are untouched; the activations lose precision (measured in
//!   docs/benchmarks.md), so vectors of this mode get their own model version.
//! - **attention**: each self-attention block (split into heads, scaled `Q·Kᵀ`, additive
//!   padding mask, softmax, a NaN guard, `·V`, heads merged) becomes one
//!   `com.microsoft.MultiHeadAttention` node with a key padding mask taken from the
//!   `attention_mask` input. Exact: same arithmetic, no guard needed because every input
//!   keeps at least `[CLS]` unmasked.
//! - **GELU**: `x · 0.5 · (1 + erf(x / √2))` becomes one `com.microsoft.Gelu` node. Exact.
//!
//! Each pass matches its pattern strictly and leaves anything else alone, so another model
//! loads unchanged. Nodes left without a consumer are dropped.
//!
//! The ONNX file is a protobuf. Rather than decode the whole schema, the rewrite reads the
//! wire format field by field, keeps every field it does not change byte for byte, and
//! re-encodes only the nodes, initializers and opset entries it touches.

use std::collections::{HashMap, HashSet};

/// What to rewrite.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub int8_matmul: bool,
    /// The model's attention heads (from its `config.json`); `None` skips the attention
    /// pass.
    pub attention_heads: Option<u64>,
    /// The exact fusions (attention, GELU).
    pub fuse: bool,
}

/// The outcome of [`rewrite`].
#[derive(Debug)]
pub struct Rewritten {
    pub model: Vec<u8>,
    pub counts: RewriteCounts,
}

/// How many patterns each pass replaced (all 0: `model` is the input unchanged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RewriteCounts {
    /// Weight products moved to int8 kernels.
    pub int8_matmuls: usize,
    /// Attention blocks fused into `MultiHeadAttention`.
    pub attention: usize,
    /// GELU activations fused into `Gelu`.
    pub gelu: usize,
}

/// Why the model bytes could not be read as an ONNX protobuf.
#[derive(Debug, thiserror::Error)]
#[error("the model is not a readable ONNX protobuf: {0}")]
pub struct GraphError(&'static str);

const MICROSOFT_DOMAIN: &str = "com.microsoft";
const MASK_INPUT: &str = "attention_mask";
const MASK_INT32: &str = "attention_mask_int32";
const FLOAT: u64 = 1;
const INT8: u64 = 3;
const INT32: u64 = 6;

// Field numbers of the ONNX messages used here (onnx/onnx.proto).
const MODEL_GRAPH: u32 = 7;
const MODEL_OPSET_IMPORT: u32 = 8;
const OPSET_DOMAIN: u32 = 1;
const OPSET_VERSION: u32 = 2;
const GRAPH_NODE: u32 = 1;
const GRAPH_INITIALIZER: u32 = 5;
const GRAPH_INPUT: u32 = 11;
const GRAPH_OUTPUT: u32 = 12;
const VALUE_INFO_NAME: u32 = 1;
const NODE_INPUT: u32 = 1;
const NODE_OUTPUT: u32 = 2;
const NODE_NAME: u32 = 3;
const NODE_OP_TYPE: u32 = 4;
const NODE_ATTRIBUTE: u32 = 5;
const NODE_DOMAIN: u32 = 7;
const ATTRIBUTE_NAME: u32 = 1;
const ATTRIBUTE_FLOAT: u32 = 2;
const ATTRIBUTE_INT: u32 = 3;
const ATTRIBUTE_TYPE: u32 = 20;
const ATTRIBUTE_TYPE_FLOAT: u64 = 1;
const ATTRIBUTE_TYPE_INT: u64 = 2;
const TENSOR_DIMS: u32 = 1;
const TENSOR_DATA_TYPE: u32 = 2;
const TENSOR_FLOAT_DATA: u32 = 4;
const TENSOR_NAME: u32 = 8;
const TENSOR_RAW_DATA: u32 = 9;

const WIRE_VARINT: u8 = 0;
const WIRE_FIXED64: u8 = 1;
const WIRE_LEN: u8 = 2;
const WIRE_FIXED32: u8 = 5;

/// Applies the passes `options` asks for to `model`.
pub fn rewrite(model: &[u8], options: Options) -> Result<Rewritten, GraphError> {
    let model_fields = fields(model)?;
    let graph_field = model_fields
        .iter()
        .find(|f| f.number == MODEL_GRAPH && f.wire == WIRE_LEN)
        .ok_or(GraphError("no graph"))?;
    let mut graph = Graph::decode(graph_field.payload)?;

    let mut counts = RewriteCounts::default();
    if options.int8_matmul {
        counts.int8_matmuls = graph.int8_matmuls();
    }
    if options.fuse {
        if let Some(heads) = options.attention_heads {
            counts.attention = graph.fuse_attention(heads);
        }
        counts.gelu = graph.fuse_gelu();
    }
    if counts == RewriteCounts::default() {
        return Ok(Rewritten {
            model: model.to_vec(),
            counts,
        });
    }
    graph.drop_dead_nodes();
    let graph_bytes = graph.encode(graph_field.payload)?;

    let has_microsoft_opset = model_fields
        .iter()
        .filter(|f| f.number == MODEL_OPSET_IMPORT && f.wire == WIRE_LEN)
        .any(|f| {
            fields(f.payload)
                .ok()
                .and_then(|fs| string_field(&fs, OPSET_DOMAIN).ok())
                .is_some_and(|domain| domain == MICROSOFT_DOMAIN)
        });
    let mut out = Vec::with_capacity(model.len());
    for field in &model_fields {
        if field.number == MODEL_GRAPH && field.wire == WIRE_LEN {
            put_len_field(&mut out, MODEL_GRAPH, &graph_bytes);
        } else {
            out.extend_from_slice(field.raw);
        }
    }
    if !has_microsoft_opset {
        let mut opset = Vec::new();
        put_len_field(&mut opset, OPSET_DOMAIN, MICROSOFT_DOMAIN.as_bytes());
        put_varint_field(&mut opset, OPSET_VERSION, 1);
        put_len_field(&mut out, MODEL_OPSET_IMPORT, &opset);
    }
    Ok(Rewritten { model: out, counts })
}

/// A graph's nodes (in order, each kept as its original bytes until replaced) and what the
/// passes need to know of its initializers and inputs.
struct Graph {
    nodes: Vec<Slot>,
    /// New nodes that go before all others.
    prologue: Vec<Node>,
    initializers: HashMap<String, Tensor>,
    /// Initializers to re-encode with new dims (a reshape of the same data).
    reshaped: HashMap<String, Vec<u64>>,
    inputs: HashSet<String>,
    outputs: Vec<String>,
}

struct Slot {
    node: Node,
    /// The original bytes; `None` once the node is replaced.
    raw: Option<Vec<u8>>,
    removed: bool,
}

impl Graph {
    fn decode(bytes: &[u8]) -> Result<Graph, GraphError> {
        let mut graph = Graph {
            nodes: Vec::new(),
            prologue: Vec::new(),
            initializers: HashMap::new(),
            reshaped: HashMap::new(),
            inputs: HashSet::new(),
            outputs: Vec::new(),
        };
        for field in fields(bytes)? {
            match (field.number, field.wire) {
                (GRAPH_NODE, WIRE_LEN) => graph.nodes.push(Slot {
                    node: Node::decode(field.payload)?,
                    raw: Some(field.payload.to_vec()),
                    removed: false,
                }),
                (GRAPH_INITIALIZER, WIRE_LEN) => {
                    let tensor = Tensor::decode(field.payload)?;
                    graph.initializers.insert(tensor.name.clone(), tensor);
                }
                (GRAPH_INPUT, WIRE_LEN) => {
                    graph
                        .inputs
                        .insert(string_field(&fields(field.payload)?, VALUE_INFO_NAME)?);
                }
                (GRAPH_OUTPUT, WIRE_LEN) => graph
                    .outputs
                    .push(string_field(&fields(field.payload)?, VALUE_INFO_NAME)?),
                _ => {}
            }
        }
        Ok(graph)
    }

    /// The live node producing `name`.
    fn producer(&self, name: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|s| !s.removed && s.node.outputs.iter().any(|o| o == name))
    }

    /// The live nodes reading `name`.
    fn consumers(&self, name: &str) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| {
                !self.nodes[i].removed && self.nodes[i].node.inputs.iter().any(|x| x == name)
            })
            .collect()
    }

    /// How many places read `name` (node inputs and graph outputs).
    fn uses(&self, name: &str) -> usize {
        let by_nodes: usize = self
            .nodes
            .iter()
            .filter(|s| !s.removed)
            .map(|s| s.node.inputs.iter().filter(|x| *x == name).count())
            .sum();
        by_nodes + self.outputs.iter().filter(|o| *o == name).count()
    }

    fn op(&self, index: usize) -> &str {
        &self.nodes[index].node.op_type
    }

    /// The live node producing `name`, if it is a default-domain `op`.
    fn produced_by(&self, name: &str, op: &str) -> Option<usize> {
        self.producer(name)
            .filter(|&i| self.op(i) == op && self.nodes[i].node.domain.is_empty())
    }

    /// The one consumer of `name`, if it is a default-domain `op`.
    fn sole_consumer(&self, name: &str, op: &str) -> Option<usize> {
        match self.consumers(name).as_slice() {
            [i] if self.op(*i) == op && self.nodes[*i].node.domain.is_empty() => Some(*i),
            _ => None,
        }
    }

    /// The value of a scalar f32 initializer.
    fn scalar(&self, name: &str) -> Option<f32> {
        self.initializers.get(name).and_then(|t| t.scalar)
    }

    fn replace(&mut self, index: usize, node: Node) {
        self.nodes[index] = Slot {
            node,
            raw: None,
            removed: false,
        };
    }

    /// `MatMul(X, Mul(Cast(int8 W), s))` → `DynamicQuantizeMatMul(X, W, s)`.
    fn int8_matmuls(&mut self) -> usize {
        let mut count = 0;
        for index in 0..self.nodes.len() {
            let Some((node, scale, dims)) = self.int8_product(index) else {
                continue;
            };
            self.reshaped.insert(scale, dims);
            self.replace(index, node);
            count += 1;
        }
        count
    }

    /// The replacement of node `index` if it is an int8 weight product, with the scale's
    /// name and new dims.
    fn int8_product(&self, index: usize) -> Option<(Node, String, Vec<u64>)> {
        let slot = &self.nodes[index];
        let node = &slot.node;
        if slot.removed
            || node.op_type != "MatMul"
            || !node.domain.is_empty()
            || node.outputs.len() != 1
        {
            return None;
        }
        let [x, w] = node.inputs.as_slice() else {
            return None;
        };
        let mul = self.produced_by(w, "Mul")?;
        let [cast_out, scale] = self.nodes[mul].node.inputs.as_slice() else {
            return None;
        };
        let cast = self.produced_by(cast_out, "Cast")?;
        let [weights] = self.nodes[cast].node.inputs.as_slice() else {
            return None;
        };
        let weights_t = self.initializers.get(weights)?;
        let scale_t = self.initializers.get(scale)?;
        let [_, columns] = weights_t.dims.as_slice() else {
            return None;
        };
        // One scale per output column (or one for all), stored as [N], [1, N] or a scalar.
        let per_column = scale_t.dims.iter().product::<u64>() == *columns
            && scale_t.dims.iter().filter(|&&d| d != 1).count() <= 1;
        let per_tensor = scale_t.dims.iter().all(|&d| d == 1);
        if weights_t.data_type != INT8
            || scale_t.data_type != FLOAT
            || !(per_column || per_tensor)
            || ![w, cast_out, scale, weights]
                .iter()
                .all(|n| self.uses(n) == 1)
        {
            return None;
        }
        let dims = if per_column {
            vec![*columns]
        } else {
            Vec::new()
        };
        let replacement = Node::new(
            &node.name,
            "DynamicQuantizeMatMul",
            MICROSOFT_DOMAIN,
            vec![x.clone(), weights.clone(), scale.clone()],
            node.outputs.clone(),
        );
        Some((replacement, scale.clone(), dims))
    }

    /// Self-attention blocks → `MultiHeadAttention(Q, K, V, key_padding_mask)`.
    fn fuse_attention(&mut self, heads: u64) -> usize {
        if !self.inputs.contains(MASK_INPUT) {
            return 0;
        }
        let mut count = 0;
        for softmax in 0..self.nodes.len() {
            if self.nodes[softmax].removed || self.op(softmax) != "Softmax" {
                continue;
            }
            let Some((merge, node)) = self.attention_block(softmax, heads) else {
                continue;
            };
            self.replace(merge, node);
            count += 1;
        }
        if count > 0 {
            self.prologue.push(
                Node::new(
                    "attention_mask_to_int32",
                    "Cast",
                    "",
                    vec![MASK_INPUT.to_owned()],
                    vec![MASK_INT32.to_owned()],
                )
                .with_int("to", INT32 as i64),
            );
        }
        count
    }

    /// Matches the block around `softmax`: returns the node that merges the heads (to be
    /// replaced) and the fused node.
    fn attention_block(&self, softmax: usize, heads: u64) -> Option<(usize, Node)> {
        let add = self.produced_by(&self.nodes[softmax].node.inputs[0], "Add")?;
        let add_inputs = &self.nodes[add].node.inputs;
        let (scores, mask) = match add_inputs.as_slice() {
            [a, b] if self.produced_by(a, "MatMul").is_some() => (a, b),
            [a, b] if self.produced_by(b, "MatMul").is_some() => (b, a),
            _ => return None,
        };
        let qk = self.produced_by(scores, "MatMul")?;
        let [q_heads, k_heads] = self.nodes[qk].node.inputs.as_slice() else {
            return None;
        };
        let (q, q_scale) = self.trace_projection(q_heads)?;
        let (k, k_scale) = self.trace_projection(k_heads)?;
        // The additive mask must come from the attention_mask input alone.
        if !self.depends_only_on(mask, MASK_INPUT) {
            return None;
        }

        let mut probs = self.nodes[softmax].node.outputs.first()?.clone();
        let readers = self.consumers(&probs);
        if readers.len() == 2 {
            // The NaN guard: Where(IsNaN(p), 0, p).
            let is_nan = *readers.iter().find(|&&i| self.op(i) == "IsNaN")?;
            let guard = *readers.iter().find(|&&i| self.op(i) == "Where")?;
            let nan = self.nodes[is_nan].node.outputs.first()?;
            let [cond, _, value] = self.nodes[guard].node.inputs.as_slice() else {
                return None;
            };
            if cond != nan || *value != probs || self.consumers(nan).len() != 1 {
                return None;
            }
            probs = self.nodes[guard].node.outputs.first()?.clone();
        }
        let pv = self.sole_consumer(&probs, "MatMul")?;
        let [p, v_heads] = self.nodes[pv].node.inputs.as_slice() else {
            return None;
        };
        if *p != probs {
            return None;
        }
        let (v, v_scale) = self.trace_projection(v_heads)?;
        if (v_scale - 1.0).abs() > 1e-6 {
            return None;
        }
        let transpose = self.sole_consumer(self.nodes[pv].node.outputs.first()?, "Transpose")?;
        let merge = self.sole_consumer(self.nodes[transpose].node.outputs.first()?, "Reshape")?;
        let node = Node::new(
            &format!("{}_fused", self.nodes[merge].node.name),
            "MultiHeadAttention",
            MICROSOFT_DOMAIN,
            vec![q, k, v, String::new(), MASK_INT32.to_owned()],
            self.nodes[merge].node.outputs.clone(),
        )
        .with_int("num_heads", heads as i64)
        .with_float("scale", q_scale * k_scale);
        Some((merge, node))
    }

    /// Walks from a per-head tensor back through `Reshape`, `Transpose` and scalar `Mul`
    /// nodes to the projection (`Add` of the bias) it came from; returns the projection's
    /// output and the product of the scalars.
    fn trace_projection(&self, name: &str) -> Option<(String, f32)> {
        let mut name = name.to_owned();
        let mut scale = 1.0f32;
        for _ in 0..8 {
            let node = &self.nodes[self.producer(&name)?].node;
            if !node.domain.is_empty() {
                return None;
            }
            match node.op_type.as_str() {
                "Add" => return Some((name, scale)),
                "Reshape" | "Transpose" => name = node.inputs.first()?.clone(),
                "Mul" => {
                    let [a, b] = node.inputs.as_slice() else {
                        return None;
                    };
                    let (value, factor) = match (self.scalar(a), self.scalar(b)) {
                        (None, Some(f)) => (a, f),
                        (Some(f), None) => (b, f),
                        _ => return None,
                    };
                    scale *= factor;
                    name = value.clone();
                }
                _ => return None,
            }
        }
        None
    }

    /// Whether `input` is the one graph input whose values `name` is computed from
    /// (initializers aside; inputs read only through `Shape` do not count, as the padding
    /// mask's size may be read from another input of the same shape).
    fn depends_only_on(&self, name: &str, input: &str) -> bool {
        let mut stack = vec![name.to_owned()];
        let mut seen = HashSet::new();
        let mut reached = false;
        while let Some(name) = stack.pop() {
            if name.is_empty() || !seen.insert(name.clone()) {
                continue;
            }
            if self.inputs.contains(&name) {
                if name != input {
                    return false;
                }
                reached = true;
                continue;
            }
            if let Some(i) = self.producer(&name).filter(|&i| self.op(i) != "Shape") {
                stack.extend(self.nodes[i].node.inputs.iter().cloned());
            }
        }
        reached
    }

    /// `x · (0.5 · (1 + erf(x / √2)))` → `Gelu(x)`.
    fn fuse_gelu(&mut self) -> usize {
        let near = |value: Option<f32>, expected: f32| {
            value.is_some_and(|v| (v - expected).abs() < 1e-4 * expected.abs().max(1.0))
        };
        let mut count = 0;
        for erf in 0..self.nodes.len() {
            if self.nodes[erf].removed || self.op(erf) != "Erf" {
                continue;
            }
            let matched = (|| {
                let div = self.produced_by(self.nodes[erf].node.inputs.first()?, "Div")?;
                let [x, root2] = self.nodes[div].node.inputs.as_slice() else {
                    return None;
                };
                if !near(self.scalar(root2), std::f32::consts::SQRT_2) {
                    return None;
                }
                let plus_one = self.sole_consumer(self.nodes[erf].node.outputs.first()?, "Add")?;
                let half = self.sole_consumer(self.nodes[plus_one].node.outputs.first()?, "Mul")?;
                let product = self.sole_consumer(self.nodes[half].node.outputs.first()?, "Mul")?;
                let other = |node: usize, known: &str| {
                    let inputs = &self.nodes[node].node.inputs;
                    inputs.iter().find(|i| *i != known).cloned()
                };
                let erf_out = self.nodes[erf].node.outputs.first()?;
                let plus_out = self.nodes[plus_one].node.outputs.first()?;
                let half_out = self.nodes[half].node.outputs.first()?;
                if !near(self.scalar(&other(plus_one, erf_out)?), 1.0)
                    || !near(self.scalar(&other(half, plus_out)?), 0.5)
                    || other(product, half_out)? != *x
                {
                    return None;
                }
                Some((product, x.clone()))
            })();
            let Some((product, x)) = matched else {
                continue;
            };
            let node = Node::new(
                &format!("{}_gelu", self.nodes[product].node.name),
                "Gelu",
                MICROSOFT_DOMAIN,
                vec![x],
                self.nodes[product].node.outputs.clone(),
            );
            self.replace(product, node);
            count += 1;
        }
        count
    }

    /// Removes nodes none of whose outputs reach a graph output.
    fn drop_dead_nodes(&mut self) {
        let mut needed: HashSet<String> = self.outputs.iter().cloned().collect();
        for slot in self.nodes.iter_mut().rev() {
            if slot.removed {
                continue;
            }
            if slot.node.outputs.iter().any(|o| needed.contains(o)) {
                needed.extend(slot.node.inputs.iter().cloned());
            } else {
                slot.removed = true;
            }
        }
        self.prologue
            .retain(|node| node.outputs.iter().any(|o| needed.contains(o)));
        let live_inputs: HashSet<&String> = self
            .nodes
            .iter()
            .filter(|s| !s.removed)
            .flat_map(|s| s.node.inputs.iter())
            .collect();
        let dead: Vec<String> = self
            .initializers
            .keys()
            .filter(|name| !live_inputs.contains(name) && !self.outputs.contains(name))
            .cloned()
            .collect();
        for name in dead {
            self.initializers.remove(&name);
        }
    }

    /// The graph message: the original fields in order, with the node list (prologue first,
    /// live nodes, replacements re-encoded) where the nodes were, dead initializers dropped
    /// and reshaped ones re-encoded.
    fn encode(&self, original: &[u8]) -> Result<Vec<u8>, GraphError> {
        let mut out = Vec::with_capacity(original.len());
        let mut nodes_written = false;
        for field in fields(original)? {
            match (field.number, field.wire) {
                (GRAPH_NODE, WIRE_LEN) => {
                    if nodes_written {
                        continue;
                    }
                    nodes_written = true;
                    for node in &self.prologue {
                        put_len_field(&mut out, GRAPH_NODE, &node.encode());
                    }
                    for slot in self.nodes.iter().filter(|s| !s.removed) {
                        match &slot.raw {
                            Some(raw) => put_len_field(&mut out, GRAPH_NODE, raw),
                            None => put_len_field(&mut out, GRAPH_NODE, &slot.node.encode()),
                        }
                    }
                }
                (GRAPH_INITIALIZER, WIRE_LEN) => {
                    let name = string_field(&fields(field.payload)?, TENSOR_NAME)?;
                    if !self.initializers.contains_key(&name) {
                        continue;
                    }
                    match self.reshaped.get(&name) {
                        Some(dims) => put_len_field(
                            &mut out,
                            GRAPH_INITIALIZER,
                            &with_dims(field.payload, dims)?,
                        ),
                        None => out.extend_from_slice(field.raw),
                    }
                }
                _ => out.extend_from_slice(field.raw),
            }
        }
        Ok(out)
    }
}

/// The parts of a `NodeProto` the rewrite looks at, plus attributes of new nodes.
#[derive(Debug, Clone)]
struct Node {
    inputs: Vec<String>,
    outputs: Vec<String>,
    name: String,
    op_type: String,
    domain: String,
    /// Encoded `AttributeProto`s (new nodes only; decoded nodes keep their bytes).
    attributes: Vec<Vec<u8>>,
}

impl Node {
    fn new(
        name: &str,
        op_type: &str,
        domain: &str,
        inputs: Vec<String>,
        outputs: Vec<String>,
    ) -> Node {
        Node {
            inputs,
            outputs,
            name: name.to_owned(),
            op_type: op_type.to_owned(),
            domain: domain.to_owned(),
            attributes: Vec::new(),
        }
    }

    fn with_int(mut self, name: &str, value: i64) -> Node {
        let mut attribute = Vec::new();
        put_len_field(&mut attribute, ATTRIBUTE_NAME, name.as_bytes());
        put_varint_field(&mut attribute, ATTRIBUTE_INT, value as u64);
        put_varint_field(&mut attribute, ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
        self.attributes.push(attribute);
        self
    }

    fn with_float(mut self, name: &str, value: f32) -> Node {
        let mut attribute = Vec::new();
        put_len_field(&mut attribute, ATTRIBUTE_NAME, name.as_bytes());
        put_varint(
            &mut attribute,
            (u64::from(ATTRIBUTE_FLOAT) << 3) | u64::from(WIRE_FIXED32),
        );
        attribute.extend_from_slice(&value.to_le_bytes());
        put_varint_field(&mut attribute, ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_FLOAT);
        self.attributes.push(attribute);
        self
    }

    fn decode(bytes: &[u8]) -> Result<Node, GraphError> {
        let fields = fields(bytes)?;
        let strings = |number| -> Result<Vec<String>, GraphError> {
            fields
                .iter()
                .filter(|f| f.number == number && f.wire == WIRE_LEN)
                .map(|f| utf8(f.payload))
                .collect()
        };
        Ok(Node {
            inputs: strings(NODE_INPUT)?,
            outputs: strings(NODE_OUTPUT)?,
            name: string_field(&fields, NODE_NAME)?,
            op_type: string_field(&fields, NODE_OP_TYPE)?,
            domain: string_field(&fields, NODE_DOMAIN)?,
            attributes: Vec::new(),
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for input in &self.inputs {
            put_len_field(&mut out, NODE_INPUT, input.as_bytes());
        }
        for output in &self.outputs {
            put_len_field(&mut out, NODE_OUTPUT, output.as_bytes());
        }
        put_len_field(&mut out, NODE_NAME, self.name.as_bytes());
        put_len_field(&mut out, NODE_OP_TYPE, self.op_type.as_bytes());
        for attribute in &self.attributes {
            put_len_field(&mut out, NODE_ATTRIBUTE, attribute);
        }
        put_len_field(&mut out, NODE_DOMAIN, self.domain.as_bytes());
        out
    }
}

/// The parts of a `TensorProto` the rewrite looks at.
#[derive(Debug)]
struct Tensor {
    name: String,
    data_type: u64,
    dims: Vec<u64>,
    /// The value of a one-element f32 tensor.
    scalar: Option<f32>,
}

impl Tensor {
    fn decode(bytes: &[u8]) -> Result<Tensor, GraphError> {
        let fields = fields(bytes)?;
        let mut dims = Vec::new();
        let mut data_type = 0;
        let mut data: Option<&[u8]> = None;
        for field in &fields {
            match (field.number, field.wire) {
                (TENSOR_DIMS, WIRE_VARINT) => dims.push(varint_value(field.payload)?),
                (TENSOR_DIMS, WIRE_LEN) => {
                    let mut pos = 0;
                    while pos < field.payload.len() {
                        dims.push(read_varint(field.payload, &mut pos)?);
                    }
                }
                (TENSOR_DATA_TYPE, WIRE_VARINT) => data_type = varint_value(field.payload)?,
                // Packed float_data holds the same little-endian bytes as raw_data.
                (TENSOR_RAW_DATA | TENSOR_FLOAT_DATA, WIRE_LEN)
                | (TENSOR_FLOAT_DATA, WIRE_FIXED32) => data = Some(field.payload),
                _ => {}
            }
        }
        let scalar = match data {
            Some(&[a, b, c, d]) if data_type == FLOAT && dims.iter().product::<u64>() == 1 => {
                Some(f32::from_le_bytes([a, b, c, d]))
            }
            _ => None,
        };
        Ok(Tensor {
            name: string_field(&fields, TENSOR_NAME)?,
            data_type,
            dims,
            scalar,
        })
    }
}

/// The tensor `bytes` with its dims replaced by `dims` (the data is unchanged: a reshape).
fn with_dims(bytes: &[u8], dims: &[u64]) -> Result<Vec<u8>, GraphError> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    if !dims.is_empty() {
        let mut packed = Vec::new();
        for &dim in dims {
            put_varint(&mut packed, dim);
        }
        put_len_field(&mut out, TENSOR_DIMS, &packed);
    }
    for field in fields(bytes)? {
        if field.number != TENSOR_DIMS {
            out.extend_from_slice(field.raw);
        }
    }
    Ok(out)
}

/// One field of a protobuf message: `raw` is the whole field (key included), `payload` the
/// bytes of a length-delimited field, or the encoded value of any other.
#[derive(Debug, Clone, Copy)]
struct Field<'a> {
    number: u32,
    wire: u8,
    raw: &'a [u8],
    payload: &'a [u8],
}

/// Splits a message into its fields, in order.
fn fields(bytes: &[u8]) -> Result<Vec<Field<'_>>, GraphError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let key = read_varint(bytes, &mut pos)?;
        let number = u32::try_from(key >> 3).map_err(|_| GraphError("field number"))?;
        let wire = (key & 7) as u8;
        let payload_start;
        match wire {
            WIRE_VARINT => {
                payload_start = pos;
                read_varint(bytes, &mut pos)?;
            }
            WIRE_FIXED64 | WIRE_FIXED32 => {
                payload_start = pos;
                pos += if wire == WIRE_FIXED64 { 8 } else { 4 };
            }
            WIRE_LEN => {
                let len = usize::try_from(read_varint(bytes, &mut pos)?)
                    .map_err(|_| GraphError("length"))?;
                payload_start = pos;
                pos = pos.checked_add(len).ok_or(GraphError("length"))?;
            }
            _ => return Err(GraphError("unsupported wire type")),
        }
        if pos > bytes.len() {
            return Err(GraphError("truncated field"));
        }
        out.push(Field {
            number,
            wire,
            raw: &bytes[start..pos],
            payload: &bytes[payload_start..pos],
        });
    }
    Ok(out)
}

/// The last value of string field `number` ("" when absent, as protobuf defaults).
fn string_field(fields: &[Field<'_>], number: u32) -> Result<String, GraphError> {
    fields
        .iter()
        .rev()
        .find(|f| f.number == number && f.wire == WIRE_LEN)
        .map_or(Ok(String::new()), |f| utf8(f.payload))
}

fn utf8(bytes: &[u8]) -> Result<String, GraphError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| GraphError("a string is not UTF-8"))
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, GraphError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*pos).ok_or(GraphError("truncated varint"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(GraphError("varint too long"))
}

fn varint_value(payload: &[u8]) -> Result<u64, GraphError> {
    read_varint(payload, &mut 0)
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_len_field(out: &mut Vec<u8>, number: u32, payload: &[u8]) {
    put_varint(out, (u64::from(number) << 3) | u64::from(WIRE_LEN));
    put_varint(out, payload.len() as u64);
    out.extend_from_slice(payload);
}

fn put_varint_field(out: &mut Vec<u8>, number: u32, value: u64) {
    put_varint(out, (u64::from(number) << 3) | u64::from(WIRE_VARINT));
    put_varint(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Options = Options {
        int8_matmul: true,
        attention_heads: Some(2),
        fuse: true,
    };

    fn tensor(name: &str, data_type: u64, dims: &[u64], raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &dim in dims {
            put_varint_field(&mut out, TENSOR_DIMS, dim);
        }
        put_varint_field(&mut out, TENSOR_DATA_TYPE, data_type);
        put_len_field(&mut out, TENSOR_NAME, name.as_bytes());
        put_len_field(&mut out, TENSOR_RAW_DATA, raw);
        out
    }

    fn scalar(name: &str, value: f32) -> Vec<u8> {
        tensor(name, FLOAT, &[], &value.to_le_bytes())
    }

    fn node(op: &str, inputs: &[&str], output: &str) -> Vec<u8> {
        let inputs = inputs.iter().map(|s| (*s).to_owned()).collect();
        Node::new(
            &format!("{op}_{output}"),
            op,
            "",
            inputs,
            vec![output.to_owned()],
        )
        .encode()
    }

    fn value_info(name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        put_len_field(&mut out, VALUE_INFO_NAME, name.as_bytes());
        out
    }

    fn model(
        nodes: &[Vec<u8>],
        initializers: &[Vec<u8>],
        inputs: &[&str],
        output: &str,
    ) -> Vec<u8> {
        let mut graph = Vec::new();
        for n in nodes {
            put_len_field(&mut graph, GRAPH_NODE, n);
        }
        put_len_field(&mut graph, 2, b"g");
        for t in initializers {
            put_len_field(&mut graph, GRAPH_INITIALIZER, t);
        }
        for i in inputs {
            put_len_field(&mut graph, GRAPH_INPUT, &value_info(i));
        }
        put_len_field(&mut graph, GRAPH_OUTPUT, &value_info(output));
        let mut out = Vec::new();
        put_varint_field(&mut out, 1, 8); // ir_version
        let mut opset = Vec::new();
        put_len_field(&mut opset, OPSET_DOMAIN, b"");
        put_varint_field(&mut opset, OPSET_VERSION, 17);
        put_len_field(&mut out, MODEL_OPSET_IMPORT, &opset);
        put_len_field(&mut out, MODEL_GRAPH, &graph);
        out
    }

    /// `y = MatMul(x, Cast(w) * s)` with a 2x3 int8 `w` and a [1, 3] scale, then `z =
    /// MatMul(y, v)` with an f32 `v` that must stay as it is.
    fn int8_model(extra_scale_use: bool) -> Vec<u8> {
        let mut nodes = vec![
            node("Cast", &["w"], "w_f"),
            node("Mul", &["w_f", "s"], "w_d"),
            node("MatMul", &["x", "w_d"], "y"),
            node("MatMul", &["y", "v"], "z"),
        ];
        let mut output = "z";
        if extra_scale_use {
            nodes.push(node("Add", &["z", "s"], "t"));
            output = "t";
        }
        let initializers = [
            tensor("w", INT8, &[2, 3], &[1, 2, 3, 4, 5, 6]),
            tensor("s", FLOAT, &[1, 3], &[0; 12]),
            tensor("v", FLOAT, &[3, 1], &[0; 12]),
        ];
        model(&nodes, &initializers, &["x"], output)
    }

    struct Decoded {
        nodes: Vec<Node>,
        tensors: HashMap<String, Tensor>,
        opsets: Vec<String>,
    }

    fn decode(model: &[u8]) -> Decoded {
        let model_fields = fields(model).unwrap();
        let graph = model_fields
            .iter()
            .find(|f| f.number == MODEL_GRAPH)
            .unwrap();
        let mut nodes = Vec::new();
        let mut tensors = HashMap::new();
        for field in fields(graph.payload).unwrap() {
            match field.number {
                GRAPH_NODE => nodes.push(Node::decode(field.payload).unwrap()),
                GRAPH_INITIALIZER => {
                    let t = Tensor::decode(field.payload).unwrap();
                    tensors.insert(t.name.clone(), t);
                }
                _ => {}
            }
        }
        let opsets = model_fields
            .iter()
            .filter(|f| f.number == MODEL_OPSET_IMPORT)
            .map(|f| string_field(&fields(f.payload).unwrap(), OPSET_DOMAIN).unwrap())
            .collect();
        Decoded {
            nodes,
            tensors,
            opsets,
        }
    }

    fn ops(decoded: &Decoded) -> Vec<String> {
        decoded
            .nodes
            .iter()
            .map(|n| {
                format!(
                    "{}{}",
                    if n.domain.is_empty() { "" } else { "ms." },
                    n.op_type
                )
            })
            .collect()
    }

    #[test]
    fn an_int8_weight_product_becomes_one_dynamic_quantize_matmul() {
        let rewritten = rewrite(&int8_model(false), ALL).unwrap();
        assert_eq!(rewritten.counts.int8_matmuls, 1);
        let decoded = decode(&rewritten.model);
        assert_eq!(ops(&decoded), ["ms.DynamicQuantizeMatMul", "MatMul"]);
        assert_eq!(decoded.nodes[0].inputs, ["x", "w", "s"]);
        assert_eq!(decoded.nodes[0].outputs, ["y"]);
        assert_eq!(
            decoded.tensors["s"].dims,
            [3],
            "the scale is one per column"
        );
        assert_eq!(
            decoded.tensors["w"].dims,
            [2, 3],
            "the weights are untouched"
        );
        assert_eq!(decoded.tensors["v"].dims, [3, 1]);
        assert_eq!(decoded.opsets, ["", "com.microsoft"]);
        // Every other field survives byte for byte: the graph name, the ir_version.
        assert!(rewritten.model.windows(3).any(|w| w == [0x12, 1, b'g']));
        assert_eq!(&rewritten.model[..2], &[0x08, 8]);
    }

    #[test]
    fn without_int8_matmul_or_with_a_shared_scale_the_graph_is_unchanged() {
        let original = int8_model(false);
        let off = Options {
            int8_matmul: false,
            ..ALL
        };
        let rewritten = rewrite(&original, off).unwrap();
        assert_eq!(rewritten.counts, RewriteCounts::default());
        assert_eq!(rewritten.model, original);

        let shared = int8_model(true);
        let rewritten = rewrite(&shared, ALL).unwrap();
        assert_eq!(rewritten.counts.int8_matmuls, 0);
        assert_eq!(rewritten.model, shared);
    }

    /// One attention block as the exporter writes it, then a GELU. `mask_zero` is what the
    /// padding mask puts at unmasked keys (`zero`, a constant, as the exporter does).
    fn attention_model(mask_zero: &str) -> Vec<u8> {
        let nodes = [
            node("Add", &["xq", "bq"], "q"),
            node("Add", &["xk", "bk"], "k"),
            node("Add", &["xv", "bv"], "v"),
            node("Reshape", &["q", "shape"], "q4"),
            node("Transpose", &["q4"], "qh"),
            node("Mul", &["qh", "c"], "qs"),
            node("Reshape", &["k", "shape"], "k4"),
            node("Transpose", &["k4"], "kh"),
            node("Mul", &["kh", "c"], "ks"),
            node("Reshape", &["v", "shape"], "v4"),
            node("Transpose", &["v4"], "vh"),
            node("Cast", &["attention_mask"], "m_bool"),
            node("Where", &["m_bool", mask_zero, "neg"], "bias"),
            node("MatMul", &["qs", "ks"], "scores"),
            node("Add", &["scores", "bias"], "masked"),
            node("Softmax", &["masked"], "p"),
            node("IsNaN", &["p"], "nan"),
            node("Where", &["nan", "zero", "p"], "p_safe"),
            node("MatMul", &["p_safe", "vh"], "ctx"),
            node("Transpose", &["ctx"], "ctx_t"),
            node("Reshape", &["ctx_t", "shape3"], "merged"),
            node("Div", &["merged", "root2"], "g1"),
            node("Erf", &["g1"], "g2"),
            node("Add", &["g2", "one"], "g3"),
            node("Mul", &["g3", "half"], "g4"),
            node("Mul", &["merged", "g4"], "out"),
        ];
        let initializers = [
            scalar("c", 0.5),
            scalar("zero", 0.0),
            scalar("neg", f32::NEG_INFINITY),
            scalar("root2", std::f32::consts::SQRT_2),
            scalar("one", 1.0),
            scalar("half", 0.5),
        ];
        model(
            &nodes,
            &initializers,
            &["xq", "xk", "xv", "attention_mask"],
            "out",
        )
    }

    #[test]
    fn an_attention_block_and_a_gelu_become_fused_nodes() {
        let rewritten = rewrite(&attention_model("zero"), ALL).unwrap();
        assert_eq!(
            rewritten.counts,
            RewriteCounts {
                int8_matmuls: 0,
                attention: 1,
                gelu: 1
            }
        );
        let decoded = decode(&rewritten.model);
        assert_eq!(
            ops(&decoded),
            [
                "Cast",
                "Add",
                "Add",
                "Add",
                "ms.MultiHeadAttention",
                "ms.Gelu"
            ]
        );
        let mha = &decoded.nodes[4];
        assert_eq!(mha.inputs, ["q", "k", "v", "", MASK_INT32]);
        assert_eq!(mha.outputs, ["merged"]);
        assert_eq!(decoded.nodes[5].inputs, ["merged"]);
        assert_eq!(decoded.nodes[5].outputs, ["out"]);
        // The attributes: num_heads 2, scale 0.5 × 0.5.
        let raw = &rewritten.model;
        let mut heads = Vec::new();
        put_len_field(&mut heads, ATTRIBUTE_NAME, b"num_heads");
        put_varint_field(&mut heads, ATTRIBUTE_INT, 2);
        assert!(raw.windows(heads.len()).any(|w| w == heads));
        let mut scale = b"scale".to_vec();
        scale.push(((ATTRIBUTE_FLOAT << 3) | u32::from(WIRE_FIXED32)) as u8);
        scale.extend_from_slice(&0.25f32.to_le_bytes());
        assert!(raw.windows(scale.len()).any(|w| w == scale));
        // Initializers nothing reads any more are gone.
        assert!(!decoded.tensors.contains_key("neg"));
        assert!(!decoded.tensors.contains_key("root2"));
    }

    #[test]
    fn an_attention_mask_that_reads_another_input_is_not_fused() {
        // The mask now also reads xq: not a padding mask any more.
        let patched = attention_model("xq");
        let rewritten = rewrite(&patched, ALL).unwrap();
        assert_eq!(rewritten.counts.attention, 0);
        assert_eq!(rewritten.counts.gelu, 1);
    }

    #[test]
    fn bytes_that_are_not_a_protobuf_are_an_error() {
        assert!(rewrite(&[0x0a, 0xff, 0xff], ALL).is_err());
        assert!(rewrite(b"", ALL).is_err(), "no graph");
    }
}
