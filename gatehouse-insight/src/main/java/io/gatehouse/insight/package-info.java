/** Security analysis as pure functions over configuration and traffic. */
package io.gatehouse.insight;
