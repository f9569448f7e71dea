/** The Spark engine: Quiver's point-in-time join, aggregations and materialization on Spark. */
package dev.quiver.spark;
