package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipelinedTx is a transaction whose BEGIN goes out with its first
// statement, in the same batch, and whose COMMIT may go out with its last
// (commitWith): a processed message's transaction is two batches (Tx.Lock
// and Tx.Answer), so this saves two of its four round trips, each a wake
// of the database's backend and of this process. pgx's own transaction
// sends BEGIN alone and waits for it.
//
// It implements pgx.Tx for the store's statements and River's inserts;
// it has no large objects (LargeObjects is not usable), which mitra never
// uses.
type pipelinedTx struct {
	conn       *pgx.Conn
	begun      bool // BEGIN sent
	closed     bool // committed or rolled back
	savepoints int
}

// inTx runs fn in a pipelined transaction on a connection of pool,
// committing when fn returns nil (unless it committed already, with
// commitWith) and rolling back otherwise, or if fn panics.
func inTx(ctx context.Context, pool *pgxpool.Pool, fn func(*pipelinedTx) error) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection still in a transaction (a failed rollback) is
	// destroyed by the pool, never reused.
	defer c.Release()
	tx := &pipelinedTx{conn: c.Conn()}
	defer func() {
		if !tx.closed {
			// A rollback that fails leaves the connection to be
			// destroyed; the error that caused it is the one to return.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if tx.closed {
		return nil
	}
	return tx.Commit(ctx)
}

func (t *pipelinedTx) begin(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "BEGIN"); err != nil {
		return err
	}
	t.begun = true
	return nil
}

// SendBatch sends BEGIN first in the same batch if it has not gone yet.
func (t *pipelinedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if t.closed {
		return errBatch{pgx.ErrTxClosed}
	}
	if t.begun {
		return t.conn.SendBatch(ctx, b)
	}
	var withBegin pgx.Batch
	withBegin.Queue("BEGIN")
	withBegin.QueuedQueries = append(withBegin.QueuedQueries, b.QueuedQueries...)
	t.begun = true
	br := t.conn.SendBatch(ctx, &withBegin)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return errBatch{fmt.Errorf("begin: %w", err)}
	}
	return br
}

// commitWith sends b with COMMIT after it, in one round trip: the
// transaction's last statements. If one fails, the COMMIT is skipped and
// the transaction is left for inTx to roll back.
func (t *pipelinedTx) commitWith(ctx context.Context, b *pgx.Batch) error {
	var commit pgconn.CommandTag
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		commit = ct
		return nil
	})
	if err := t.SendBatch(ctx, b).Close(); err != nil {
		// Left open: the caller's rollback ends the failed transaction,
		// so that the connection goes back to the pool idle.
		return err
	}
	t.closed = true
	if commit.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *pipelinedTx) Commit(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	if !t.begun {
		t.closed = true
		return nil // nothing was sent
	}
	// A COMMIT that fails leaves the transaction open for the rollback
	// that follows, as commitWith does.
	return t.commitWith(ctx, &pgx.Batch{})
}

func (t *pipelinedTx) Rollback(ctx context.Context) error {
	if t.closed {
		return pgx.ErrTxClosed
	}
	t.closed = true
	if !t.begun {
		return nil
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK")
	return err
}

// Begin starts a nested transaction as a savepoint, as pgx's does.
func (t *pipelinedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	t.savepoints++
	sp := &savepoint{pipelinedTx: t, name: fmt.Sprintf("sp_%d", t.savepoints)}
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+sp.name); err != nil {
		return nil, err
	}
	return sp, nil
}

func (t *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.begin(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.conn.Exec(ctx, sql, args...)
}

func (t *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, args...)
}

func (t *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.begin(ctx); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *pipelinedTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	return t.conn.CopyFrom(ctx, table, columns, src)
}

func (t *pipelinedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *pipelinedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *pipelinedTx) Conn() *pgx.Conn { return t.conn }

// savepoint is a nested transaction: its statements are its parent's.
type savepoint struct {
	*pipelinedTx
	name string
	done bool
}

func (s *savepoint) Commit(ctx context.Context) error { return s.end(ctx, "RELEASE SAVEPOINT ") }

func (s *savepoint) Rollback(ctx context.Context) error {
	return s.end(ctx, "ROLLBACK TO SAVEPOINT ")
}

// end releases or rolls back to the savepoint, once.
func (s *savepoint) end(ctx context.Context, verb string) error {
	if s.done {
		return pgx.ErrTxClosed
	}
	s.done = true
	_, err := s.conn.Exec(ctx, verb+s.name)
	return err
}

// errBatch and errRow carry an error where pgx would return results.
type errBatch struct{ err error }

func (e errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, e.err }
func (e errBatch) Query() (pgx.Rows, error)         { return nil, e.err }
func (e errBatch) QueryRow() pgx.Row                { return errRow(e) }
func (e errBatch) Close() error                     { return e.err }
func (e errBatch) Tx() pgx.Tx                       { return nil }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

var _ pgx.Tx = (*pipelinedTx)(nil)
