package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/mitra-gov/mitra/catalog"
)

// matchScratch is one match's working memory, reused across matches so
// that the hot path allocates little whatever the catalogue's size.
type matchScratch struct {
	lexq  *lexQuery
	qvec  []float32 // the message's vector, when the engine embeds keys itself
	cands []Candidate
	nz    []int32 // the query vector's nonzero dimensions
	vecs  []float32
	hits  []Hit // the nearest vectors, when they were searched
	ids   []string
}

// scoreAllWork is how many of a query's dimensions times vectors rank
// scores up front: every service's exact vector score costs about as much
// as the few dozen services a visit would score one at a time, and the
// best of them bounds the vector score of the services left unvisited far
// more tightly than each dimension's extreme (which nearly always sums to
// 1), so the visit stops after a handful of services instead of a
// hundred. Past it (a national catalogue) the scan costs more than the
// visits it saves.
const scoreAllWork = 1 << 16

// vectorEpsilon absorbs float32 rounding when a bound is compared with a
// score summed in another order.
const vectorEpsilon = 1e-5

// visitBudget is how many services rank visits at most once it has
// MaxCandidates: past it, the services left are those whose best-covered
// name the message covers least. On the shipped catalogue a tenth of the
// eval suites' messages reach it, and no ranking on them changes (a budget
// of 64 would move a few third places); a national catalogue, where each
// state's copy of a service matches the same words, stays within it.
const visitBudget = 256

// rank returns the candidates that can be among the best MaxCandidates,
// with their fused scores, best first (ties by id). Within visitBudget the
// result equals scoring every service and sorting them all
// (TestRankEqualsScoringEveryService). Bounds keep the work to a few
// services whatever the catalogue's size:
//   - the services of the message's rare tokens are visited first; the
//     rest are then visited best-covered doc first, and the visit stops
//     when no service left can reach the MaxCandidates-th best score, even
//     with the best vector score (scoreAllWork) and every boost, counting
//     only the words the common tokens explain;
//   - a visited service whose own vector score keeps it below the
//     MaxCandidates-th best is not scored;
//   - through an index other than the engine's own, a vector score
//     raises a fused score by at most vectorWeight, so a lexical candidate
//     that far below the MaxCandidates-th best is never looked up;
//   - a service no word of the message matches scores at most
//     vectorWeight times the vector bound, so the nearest vectors are
//     searched only when fewer than MaxCandidates candidates score above
//     that.
func (e *Engine) rank(ctx context.Context, sc *matchScratch, qvec []float32, cued kindSet) ([]Candidate, error) {
	q := sc.lexq
	cands := sc.cands[:0]
	sc.hits = sc.hits[:0]
	var best topScores
	// With the engine's own index a visited service's vector score is
	// exact and cheap, and the most any unvisited one can have is bounded
	// by the query's dimensions; through another index it is looked up
	// afterwards, for the few that can still reach the top.
	vecBound := float32(1)
	exact := e.memory != nil
	var vecs []float32 // every service's vector score, when scored up front
	if exact {
		sc.nz = nonzero(qvec, sc.nz[:0])
		if n := e.memory.Len(); n > 0 && n*len(sc.nz) <= scoreAllWork {
			sc.vecs = e.memory.scoreAll(qvec, sc.nz, sc.vecs)
			vecs = sc.vecs
			vecBound = highest(vecs)
		} else {
			vecBound = e.memory.bound(qvec, sc.nz)
		}
	}
	// The most a vector score and the boosts add: a kind's cue (the status
	// one is the larger) and the menu prior.
	boosts := float32(priorWeight + vectorEpsilon)
	if cued != 0 {
		boosts += statusBoost
	}
	extra := e.vectorWeight*vecBound + boosts
	take := func(s int32, cover float32) bool {
		// With every vector scored, a service whose own vector score
		// leaves it below the best few whatever its words cover is not
		// scored at all.
		if vecs != nil && best.full() && (1-e.vectorWeight)*q.bound(cover)+e.vectorWeight*max(0, vecs[s])+boosts < best.kth() {
			return len(q.visited) < visitBudget
		}
		if l := q.score(s); l > 0 {
			var c Candidate
			switch {
			case vecs != nil:
				c = e.candidate(int(s), l, vecs[s], cued)
			case exact:
				c = e.candidate(int(s), l, 0, cued)
				if c.Score+e.vectorWeight*vecBound >= best.kth() {
					c = e.candidate(int(s), l, e.memory.scoreAt(qvec, sc.nz, int(s)), cued)
				}
			default:
				c = e.candidate(int(s), l, 0, cued)
			}
			// With exact scores, one below the best few so far is
			// below them at the end too.
			if !exact || c.Score >= best.kth()-vectorEpsilon {
				cands = append(cands, c)
			}
			best.add(c.Score)
		}
		return !best.full() || len(q.visited) < visitBudget
	}
	q.visitRare(take)
	for {
		cover, ok := q.peek()
		if !ok || best.full() && ((1-e.vectorWeight)*q.bound(cover)+extra < best.kth() || len(q.visited) >= visitBudget) {
			break
		}
		q.visit(take)
	}
	if exact {
		floor := best.kth() - vectorEpsilon
		cands = slices.DeleteFunc(cands, func(c Candidate) bool { return c.Score < floor })
	} else {
		floor := best.kth() - e.vectorWeight - vectorEpsilon
		cands = slices.DeleteFunc(cands, func(c Candidate) bool { return c.Score < floor })
		if err := e.scoreVectors(ctx, sc, qvec, cands, cued); err != nil {
			return nil, err
		}
	}
	above := 0
	for _, c := range cands {
		if c.Score > e.vectorWeight*vecBound+vectorEpsilon {
			above++
		}
	}
	if above < MaxCandidates {
		if vecs != nil {
			sc.hits = append(sc.hits[:0], e.memory.nearest(vecs, vectorCandidates)...)
		} else {
			hits, err := e.index.Search(ctx, qvec, vectorCandidates)
			if err != nil {
				return nil, fmt.Errorf("search index: %w", err)
			}
			sc.hits = append(sc.hits[:0], hits...)
		}
		for _, h := range sc.hits {
			// A lexical candidate is already in, or cannot reach the top.
			if i, ok := e.byID[h.ID]; ok && q.score(int32(i)) == 0 {
				cands = append(cands, e.candidate(i, 0, h.Score, cued))
			}
		}
	}
	slices.SortFunc(cands, rankOrder)
	sc.cands = cands
	return cands, nil
}

// highest is the highest of scores, or 0 if none is above it. Vector
// scores are never NaN, so a plain comparison does what slices.Max's
// NaN-aware one does at a fraction of its cost.
func highest(scores []float32) float32 {
	var m float32
	for _, s := range scores {
		if s > m {
			m = s
		}
	}
	return m
}

// topScores keeps the MaxCandidates highest scores seen.
type topScores struct {
	top [MaxCandidates]float32
	n   int
}

func (t *topScores) full() bool { return t.n == MaxCandidates }

// kth is the lowest of the kept scores when full, minus infinity before.
func (t *topScores) kth() float32 {
	if !t.full() {
		return float32(math.Inf(-1))
	}
	return t.top[MaxCandidates-1]
}

func (t *topScores) add(s float32) {
	j := t.n
	if t.full() {
		if s <= t.top[MaxCandidates-1] {
			return
		}
		j = MaxCandidates - 1
	} else {
		t.n++
	}
	t.top[j] = s
	for ; j > 0 && t.top[j] > t.top[j-1]; j-- {
		t.top[j], t.top[j-1] = t.top[j-1], t.top[j]
	}
}

// rankOrder is best first, ties by id so that results are reproducible.
func rankOrder(a, b Candidate) int {
	if a.Score != b.Score {
		return cmp.Compare(b.Score, a.Score)
	}
	return cmp.Compare(a.Service.ID, b.Service.ID)
}

// scoreVectors gives lexical candidates their vector score and fused
// score: from the engine's own index by position, or through the index's
// ScoreIDs (one round trip for a remote index).
func (e *Engine) scoreVectors(ctx context.Context, sc *matchScratch, qvec []float32, cands []Candidate, cued kindSet) error {
	if len(cands) == 0 {
		return nil
	}
	if e.memory != nil {
		sc.nz = nonzero(qvec, sc.nz[:0])
		for j := range cands {
			i := e.byID[cands[j].Service.ID]
			cands[j] = e.candidate(i, cands[j].Lexical, e.memory.scoreAt(qvec, sc.nz, i), cued)
		}
		return nil
	}
	scorer, ok := e.index.(idScorer)
	if !ok {
		return nil // an index that cannot score ids: lexical scores alone
	}
	sc.ids = sc.ids[:0]
	for _, c := range cands {
		sc.ids = append(sc.ids, c.Service.ID)
	}
	scores, err := scorer.ScoreIDs(ctx, qvec, sc.ids)
	if err != nil {
		// The vector channel is an aid: without it (a remote index that
		// did not answer) the lexical scores still rank.
		return nil
	}
	for j := range cands {
		cands[j] = e.candidate(e.byID[cands[j].Service.ID], cands[j].Lexical, scores[j], cued)
	}
	return nil
}

// familyFirst puts first the member of the best candidate's family that
// the message's intent points to: the status check for a follow-up on a
// rice card application, the member deletion for "remove my late
// mother's name". Of several such members, the best-ranked candidate is
// taken; one not among the candidates only when the family has just that
// one. The application's own words name the application, and only the
// intent says it is its status the citizen wants. Members are scored
// here, since rank keeps only the candidates that can reach the top.
func (e *Engine) familyFirst(ctx context.Context, sc *matchScratch, cands []Candidate, intent catalog.Intent, qvec []float32, cued kindSet) ([]Candidate, error) {
	top := cands[0]
	families := e.cat.FamiliesOf(top.Service.ID)
	for _, f := range families {
		if f.IntentOf(top.Service.ID) == intent {
			return cands, nil // the best match already does what is asked
		}
	}
	for _, f := range families {
		members := f.Members(intent)
		var best *Candidate
		for _, id := range members {
			c, ok, err := e.memberCandidate(ctx, sc, id, qvec, cued)
			if err != nil {
				return nil, err
			}
			if ok && id != top.Service.ID && (best == nil || rankOrder(c, *best) < 0) {
				best = &c
			}
		}
		if best != nil {
			c := *best
			c.Score, c.Sibling = top.Score, true
			rest := slices.DeleteFunc(cands, func(x Candidate) bool { return x.Service.ID == c.Service.ID })
			return append([]Candidate{c}, rest...), nil
		}
		if len(members) == 1 {
			if s, ok := e.cat.Service(members[0]); ok {
				c := Candidate{Service: s, Score: top.Score, Lexical: top.Lexical, Sibling: true}
				return append([]Candidate{c}, cands...), nil
			}
		}
	}
	return cands, nil
}

// memberCandidate is service id as a candidate, if it is one: a service
// some word of the message matches, or one of the nearest vectors found.
func (e *Engine) memberCandidate(ctx context.Context, sc *matchScratch, id string, qvec []float32, cued kindSet) (Candidate, bool, error) {
	i, ok := e.byID[id]
	if !ok {
		return Candidate{}, false, nil
	}
	if l := sc.lexq.score(int32(i)); l > 0 {
		one := []Candidate{e.candidate(i, l, 0, cued)}
		err := e.scoreVectors(ctx, sc, qvec, one, cued)
		return one[0], err == nil, err
	}
	for _, h := range sc.hits {
		if h.ID == id {
			return e.candidate(i, 0, h.Score, cued), true, nil
		}
	}
	return Candidate{}, false, nil
}
