//! The output schema each tool declares (MCP `outputSchema`): a JSON Schema (2020-12) of the
//! structured content it returns, derived from the very types the tool serialises.
//!
//! A call's structured content is either its result or, with `isError: true`, a
//! [`ToolError`]. The specification has structured content conform to the output schema and
//! clients validate it; it says nothing of error results, and some clients validate those
//! too — against a schema of the result alone they would turn every tool error into a
//! protocol error, and the model would never see the error and its hint. So every schema is
//! `anyOf` the two shapes, the result first and the error second: whatever cfn sends conforms,
//! whichever way a client reads the rule (docs/mcp.md, "Output schemas").
//!
//! The schemas are closed (`additionalProperties: false` on every object with named
//! properties): they say exactly what comes back, and a field added without its schema fails
//! the tests that validate real results against them. A property that may be left out is never
//! null: the types leave an empty `Option` out (`skip_serializing_if = "Option::is_none"`)
//! rather than write null, so its schema says so.

use super::outcome::ToolError;
use rmcp::model::JsonObject;
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform as _};
use schemars::{JsonSchema, Schema};
use serde_json::{json, Value};
use std::sync::Arc;

/// The output schema of a tool whose result is `T` and whose errors carry no data.
pub fn output<T: JsonSchema>() -> Arc<JsonObject> {
    output_failing_with::<T, Value>()
}

/// The output schema of a tool whose result is `T` and whose errors may carry data `D`.
pub fn output_failing_with<T: JsonSchema, D: JsonSchema>() -> Arc<JsonObject> {
    // What serialising writes: an `Option` without `skip_serializing_if` is always present.
    let mut generator = SchemaSettings::draft2020_12().for_serialize().into_generator();
    let result = generator.subschema_for::<T>();
    let result = as_structured_content(result, generator.definitions());
    let error = generator.subschema_for::<ToolError<D>>();
    let defs = generator.take_definitions(true);
    let mut schema = Schema::from(
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "description": "The tool's result; with isError true, its error (error, hint, exit_code).",
            "anyOf": [result, error],
            "$defs": defs,
        })
        .as_object()
        .cloned()
        .unwrap_or_default(),
    );
    RecursiveTransform(close_object).transform(&mut schema);
    RecursiveTransform(no_null_when_left_out).transform(&mut schema);
    match schema.to_value() {
        Value::Object(map) => Arc::new(map),
        // Built as an object above.
        _ => Arc::new(JsonObject::new()),
    }
}

/// The schema of the structured content a result of schema `schema` becomes: itself when it
/// is an object, else `{"result": …}`, as [`super::outcome::success`] wraps it.
fn as_structured_content(schema: Schema, defs: &serde_json::Map<String, Value>) -> Value {
    let named = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| defs.get(name));
    let of_type = named.unwrap_or(schema.as_value()).get("type");
    if of_type == Some(&json!("object")) {
        return schema.to_value();
    }
    json!({
        "type": "object",
        "properties": { "result": schema.to_value() },
        "required": ["result"],
    })
}

/// Closes an object schema with named properties to any other property.
fn close_object(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        if object.contains_key("properties") && !object.contains_key("additionalProperties") {
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// Takes null out of the schema of each property an object may leave out: an `Option` that is
/// left out when empty is never written as null.
fn no_null_when_left_out(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else { return };
    let required: Vec<Value> = object.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    let Some(Value::Object(properties)) = object.get_mut("properties") else { return };
    for (name, property) in properties.iter_mut() {
        if !required.contains(&Value::String(name.clone())) {
            not_null(property);
        }
    }
}

/// `{"type": [T, "null"]}` as `{"type": T}`; `{"anyOf": [S, {"type": "null"}]}` as `S`.
fn not_null(property: &mut Value) {
    let Some(p) = property.as_object_mut() else { return };
    if let Some(Value::Array(types)) = p.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            p.insert("type".into(), only);
        }
        return;
    }
    let Some(Value::Array(any)) = p.get_mut("anyOf") else { return };
    any.retain(|s| *s != json!({ "type": "null" }));
    if let [Value::Object(only)] = any.as_slice() {
        let only = only.clone();
        p.remove("anyOf");
        p.extend(only);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::JsonSchema;
    use serde::Serialize;

    #[derive(Serialize, JsonSchema)]
    struct Row {
        name: String,
        note: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        left_out: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        inner: Option<Box<Row>>,
    }

    #[derive(Serialize, JsonSchema)]
    struct Outer {
        #[serde(flatten)]
        row: Row,
        rows: Vec<Row>,
    }

    #[test]
    fn a_result_is_any_of_its_type_and_the_error_and_every_object_is_closed() {
        let schema = Value::Object(output::<Outer>().as_ref().clone());
        assert_eq!(schema["type"], "object");
        let branches = schema["anyOf"].as_array().unwrap();
        assert_eq!(branches.len(), 2);
        assert_eq!(branches[0]["$ref"], "#/$defs/Outer");
        let outer = &schema["$defs"]["Outer"];
        // The flattened fields are the outer object's own; an Option is always written.
        assert_eq!(outer["required"], json!(["name", "note", "rows"]));
        assert_eq!(outer["additionalProperties"], false);
        let row = &schema["$defs"]["Row"];
        assert_eq!(row["additionalProperties"], false);
        // Written as null when empty, or left out (and then never null).
        assert_eq!(row["properties"]["note"]["type"], json!(["string", "null"]));
        assert_eq!(row["properties"]["left_out"]["type"], "string");
        assert_eq!(row["properties"]["inner"], json!({ "$ref": "#/$defs/Row" }));
        assert_eq!(row["required"], json!(["name", "note"]));
        let error = &schema["$defs"][branches[1]["$ref"].as_str().unwrap().trim_start_matches("#/$defs/")];
        assert_eq!(error["required"], json!(["error", "hint", "exit_code"]));
        assert_eq!(error["additionalProperties"], false);
    }

    #[test]
    fn a_result_that_is_no_object_is_described_wrapped_as_outcome_wraps_it() {
        let schema = Value::Object(output::<Vec<Row>>().as_ref().clone());
        let result = &schema["anyOf"][0];
        assert_eq!(result["type"], "object");
        assert_eq!(result["required"], json!(["result"]));
        assert_eq!(result["properties"]["result"]["type"], "array");
        assert_eq!(result["additionalProperties"], false);
        let row = Row { name: "a".into(), note: None, left_out: None, inner: None };
        let sent = super::super::outcome::success(&vec![row]);
        let content = sent.structured_content.unwrap();
        assert_eq!(content.as_object().unwrap().keys().collect::<Vec<_>>(), ["result"]);
    }
}
