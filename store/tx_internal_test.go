package store

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mitra-gov/mitra/internal/testenv"
)

// onePool is a pool of one connection with a temporary table of its own:
// every transaction below runs on that connection, so the table outlives
// them only while the connection does.
func onePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), "CREATE TEMP TABLE piped (v int)"); err != nil {
		t.Fatal(err)
	}
	return pool
}

func rowsOf(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT v FROM piped ORDER BY v")
	if err != nil {
		t.Fatal(err) // also when the connection, and its table, is gone
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func insertBatch(vs ...any) *pgx.Batch {
	var b pgx.Batch
	for _, v := range vs {
		b.Queue("INSERT INTO piped VALUES ($1)", v)
	}
	return &b
}

// The BEGIN sent with the first batch makes the batch part of the
// transaction: an error after it rolls it back.
func TestPipelinedTxBeginsWithFirstBatch(t *testing.T) {
	pool := onePool(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := inTx(ctx, pool, func(tx *pipelinedTx) error {
		if err := tx.SendBatch(ctx, insertBatch(1, 2)).Close(); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("inTx = %v, want fn's error", err)
	}
	if vs := rowsOf(t, pool); len(vs) != 0 {
		t.Fatalf("rows %v survived the rollback", vs)
	}
	// A panic rolls back too, and passes on.
	func() {
		defer func() { _ = recover() }()
		_ = inTx(ctx, pool, func(tx *pipelinedTx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO piped VALUES (9)"); err != nil {
				return err
			}
			panic("dialog bug")
		})
	}()
	if err := inTx(ctx, pool, func(tx *pipelinedTx) error {
		return tx.SendBatch(ctx, insertBatch(3)).Close()
	}); err != nil {
		t.Fatal(err)
	}
	if vs := rowsOf(t, pool); len(vs) != 1 || vs[0] != 3 {
		t.Fatalf("rows %v, want [3]", vs)
	}
}

// commitWith commits with the batch; a statement of it that fails leaves
// nothing and the connection usable (its temporary table still there).
func TestPipelinedTxCommitsWithLastBatch(t *testing.T) {
	pool := onePool(t)
	ctx := context.Background()
	if err := inTx(ctx, pool, func(tx *pipelinedTx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO piped VALUES (1)"); err != nil {
			return err
		}
		if err := tx.commitWith(ctx, insertBatch(2)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1"); !errors.Is(err, pgx.ErrTxClosed) {
			t.Errorf("a statement after commitWith: %v, want ErrTxClosed", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err := inTx(ctx, pool, func(tx *pipelinedTx) error {
		return tx.commitWith(ctx, insertBatch(3, "not a number"))
	})
	if err == nil {
		t.Fatal("a failing batch committed")
	}
	if vs := rowsOf(t, pool); len(vs) != 2 || vs[0] != 1 || vs[1] != 2 {
		t.Fatalf("rows %v, want [1 2]", vs)
	}
	// A transaction that sent nothing commits nothing, without a round trip.
	if err := inTx(ctx, pool, func(*pipelinedTx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// A nested transaction is a savepoint: rolling it back keeps the rest.
func TestPipelinedTxSavepoint(t *testing.T) {
	pool := onePool(t)
	ctx := context.Background()
	if err := inTx(ctx, pool, func(tx *pipelinedTx) error {
		inner, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := inner.Exec(ctx, "INSERT INTO piped VALUES (1)"); err != nil {
			return err
		}
		if err := inner.Rollback(ctx); err != nil {
			return err
		}
		kept, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		if err := kept.SendBatch(ctx, insertBatch(2)).Close(); err != nil {
			return err
		}
		return kept.Commit(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	if vs := rowsOf(t, pool); len(vs) != 1 || vs[0] != 2 {
		t.Fatalf("rows %v, want [2]", vs)
	}
}
