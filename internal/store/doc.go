// Package store is the database of posture serve: the inventory of systems and their scan
// history, in embedded SQLite or in PostgreSQL, behind one set of queries and versioned
// migrations that are safe when several replicas start at once. docs/store.md describes
// the layout, the durability settings and how to point it at PostgreSQL.
package store
