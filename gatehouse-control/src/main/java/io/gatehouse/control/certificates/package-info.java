/** Uploaded TLS certificates: gateway server certificates, backend client certificates and CA bundles. */
package io.gatehouse.control.certificates;
