/**
 * A SecLang rule engine that runs the OWASP Core Rule Set in process: load rule files once with
 * {@link io.gatehouse.waf.WafEngine#load}, share the engine, and inspect each request with {@link
 * io.gatehouse.waf.WafEngine#inspect}.
 */
package io.gatehouse.waf;
