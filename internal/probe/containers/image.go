package containers

import (
	"strconv"
	"strings"
)

// imageRef is a container image reference split into its parts.
type imageRef struct {
	raw      string
	registry string
	// path is the repository without the registry, lower-cased, with Docker Hub's
	// "library/" removed: "redis", "bitnami/redis", "elasticsearch/elasticsearch".
	path        string
	tag, digest string
}

func parseImage(s string) imageRef {
	r := imageRef{raw: s}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, r.digest = s[:i], s[i+1:]
	}
	slash := strings.LastIndexByte(s, '/')
	if i := strings.LastIndexByte(s, ':'); i > slash {
		s, r.tag = s[:i], s[i+1:]
	}
	if first, rest, ok := strings.Cut(s, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.registry, s = strings.ToLower(first), rest
	}
	r.path = strings.ToLower(s)
	if r.registry == "" || r.registry == "docker.io" || r.registry == "index.docker.io" || r.registry == "registry-1.docker.io" {
		r.path = strings.TrimPrefix(r.path, "library/")
	}
	return r
}

// name is the last component of the repository: redis for bitnami/redis or
// registry.example.com/mirror/redis.
func (r imageRef) name() string {
	return r.path[strings.LastIndexByte(r.path, '/')+1:]
}

// bitnami reports a Bitnami image, whose settings are environment variables of its own.
func (r imageRef) bitnami() bool {
	for _, c := range strings.Split(r.path, "/") {
		if c == "bitnami" || c == "bitnamicharts" || c == "bitnamilegacy" {
			return true
		}
	}
	return false
}

// pinned reports a digest reference, which names exactly one image.
func (r imageRef) pinned() bool { return strings.HasPrefix(r.digest, "sha256:") }

// latest reports a reference that follows whatever was pushed last: the latest tag, or
// no tag at all (which means latest), unless a digest pins it.
func (r imageRef) latest() bool {
	return !r.pinned() && (r.tag == "" || r.tag == "latest")
}

// variable reports a reference with ${...} or $NAME in it, which is completed when the
// file is used; its tag cannot be judged here.
func (r imageRef) variable() bool { return strings.Contains(r.raw, "$") }

// majorVersion returns the leading number of the tag (7 for 7.17.10), if it has one.
func (r imageRef) majorVersion() (int, bool) {
	t := strings.TrimPrefix(r.tag, "v")
	n := 0
	for n < len(t) && t[n] >= '0' && t[n] <= '9' {
		n++
	}
	if n == 0 {
		return 0, false
	}
	v, err := strconv.Atoi(t[:n])
	return v, err == nil
}

// family is the kind of network service an image runs, for the authentication checks.
type family int

const (
	famNone family = iota
	famRedis
	famMySQL
	famPostgres
	famMongo
	famSearch
	famMemcached
)

var families = map[string]family{
	"redis": famRedis, "redis-stack": famRedis, "redis-stack-server": famRedis, "valkey": famRedis,
	"mysql": famMySQL, "mysql-server": famMySQL, "mariadb": famMySQL, "percona-server": famMySQL, "percona": famMySQL,
	"postgres": famPostgres, "postgresql": famPostgres, "postgis": famPostgres,
	"mongo": famMongo, "mongodb": famMongo, "mongodb-community-server": famMongo, "mongodb-enterprise-server": famMongo,
	"elasticsearch": famSearch, "opensearch": famSearch,
	"memcached": famMemcached,
}

func (r imageRef) family() family { return families[r.name()] }

// database reports images that keep state, for single-replica StatefulSets.
func (r imageRef) database() bool {
	switch r.family() {
	case famRedis, famMySQL, famPostgres, famMongo, famSearch:
		return true
	}
	switch r.name() {
	case "cassandra", "cockroach", "clickhouse-server", "couchdb", "neo4j", "influxdb", "rabbitmq", "kafka", "zookeeper", "etcd":
		return true
	}
	return false
}

func (f family) String() string {
	switch f {
	case famRedis:
		return "Redis"
	case famMySQL:
		return "MySQL/MariaDB"
	case famPostgres:
		return "PostgreSQL"
	case famMongo:
		return "MongoDB"
	case famSearch:
		return "Elasticsearch/OpenSearch"
	case famMemcached:
		return "memcached"
	}
	return ""
}
