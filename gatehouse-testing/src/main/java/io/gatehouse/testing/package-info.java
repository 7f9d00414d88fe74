/** JUnit 5 support for testing against an in-process gateway and mock upstream. */
package io.gatehouse.testing;
