package tlsscan

import (
	"context"
	"fmt"
	"net"
	"time"
)

// helloDone opens a connection and runs a handshake of spec up to ServerHelloDone, for
// the tests that go on where the client's key exchange would come. The caller closes
// the connection; its deadline is the scan's timeout from now.
func (s *scanner) helloDone(ctx context.Context, spec helloSpec) (net.Conn, error) {
	conn, _, err := s.helloDoneResult(ctx, spec)
	return conn, err
}

// helloDoneResult is helloDone with the ServerHello, for callers that look at its
// extensions. On an error the connection is closed and nil, and the result holds what
// was read before the error (a ServerHello, then a broken certificate message).
func (s *scanner) helloDoneResult(ctx context.Context, spec helloSpec) (net.Conn, helloResult, error) {
	hello, err := buildClientHello(spec)
	if err != nil {
		return nil, helloResult{}, err
	}
	conn, err := s.net.Dial(ctx, s.addr)
	if err != nil {
		return nil, helloResult{}, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (net.Conn, helloResult, error) {
		stop()
		conn.Close()
		return nil, helloResult{}, err
	}
	if err := conn.SetDeadline(time.Now().Add(s.timeout)); err != nil {
		return fail(err)
	}
	if _, err := conn.Write(hello); err != nil {
		return fail(fmt.Errorf("send hello: %w", err))
	}
	res, err := readAnswer(conn, spec, true)
	switch {
	case err != nil:
		_, _, err = fail(err)
		return nil, res, err
	case !res.accepted:
		_, _, err = fail(fmt.Errorf("the suites accepted before were refused now (%s)", res.reason))
		return nil, res, err
	}
	return &stopConn{Conn: conn, stop: stop}, res, nil
}

// stopConn releases the context hook with the connection.
type stopConn struct {
	net.Conn
	stop func() bool
}

func (c *stopConn) Close() error {
	c.stop()
	return c.Conn.Close()
}
