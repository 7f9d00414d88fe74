/**
 * The configuration model: immutable records for every entity, their YAML/JSON mapping,
 * validation, diffs and OpenAPI import.
 */
package io.gatehouse.model;
