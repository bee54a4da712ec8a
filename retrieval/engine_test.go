package retrieval_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mitra-gov/mitra/catalog"
	"github.com/mitra-gov/mitra/evals"
	"github.com/mitra-gov/mitra/internal/testenv"
	"github.com/mitra-gov/mitra/retrieval"
)

// The same request in three scripts and romanized forms reaches the same
// service, and the reply language follows the message.
func TestMatchAcrossScripts(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	tests := []struct {
		text string
		lang catalog.Lang
		want string
	}{
		{"నాకు ఆదాయ ధృవీకరణ పత్రం కావాలి", catalog.Telugu, "income-certificate"},
		{"mujhe income certificate chahiye", catalog.Hindi, "income-certificate"},
		{"I need an income certificate", catalog.English, "income-certificate"},
		{"naaku income certificate kavali", catalog.Telugu, "income-certificate"},
		{"नाकु income certificate కావాలి", catalog.Telugu, "income-certificate"},
		{"आय प्रमाण पत्र", catalog.Hindi, "income-certificate"},
		{"రేషన్ కార్డు కొత్తది కావాలి", catalog.Telugu, "new-rice-card"},
		{"naya ration card banwana hai", catalog.Hindi, "new-rice-card"},
		{"I need a caste certificate", catalog.English, "caste-certificate"},
		{"current bill kattali", catalog.Telugu, "power-bill-payment"},
		// A concept's word misspelt is still the concept.
		{"pention status", catalog.English, "pension-status"},
	}
	for _, tt := range tests {
		res, err := e.Match(context.Background(), tt.text, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) == 0 || res.Candidates[0].Service.ID != tt.want {
			var got []string
			for _, c := range res.Candidates {
				got = append(got, c.Service.ID)
			}
			t.Errorf("%q: candidates %v, want %s first", tt.text, got, tt.want)
		}
		if res.Analysis.Lang != tt.lang {
			t.Errorf("%q: lang %s, want %s", tt.text, res.Analysis.Lang, tt.lang)
		}
	}
}

func TestGreetingsAndNoiseNeverRouteDirectly(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	for _, text := range []string{"hi", "Hello sir", "నమస్కారం", "नमस्ते जी", "thanks", "ok", "", "   ", "🙏🙏🙏", "12345",
		"\xff\xfe\xfd", "asdfgh qwerty", "who won the cricket match yesterday"} {
		res, err := e.Match(context.Background(), text, catalog.Telugu)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if res.Decision == retrieval.Direct {
			t.Errorf("%q routed directly to %s", text, res.Candidates[0].Service.ID)
		}
	}
	// A message without language keeps the conversation's.
	res, _ := e.Match(context.Background(), "ok", catalog.Hindi)
	if res.Analysis.Lang != catalog.Hindi || res.Analysis.LangFromText {
		t.Errorf("\"ok\" in a Hindi conversation: lang %s (from text %v), want hi kept", res.Analysis.Lang, res.Analysis.LangFromText)
	}
}

// One word that names a family of services ("pension", "bill") offers a
// choice, never a direct routing; status words steer among the family.
func TestGenericWordsOfferAChoice(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	for _, text := range []string{"pension", "bill", "complaint", "certificate", "పెన్షన్", "बिल"} {
		res, err := e.Match(context.Background(), text, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Decision == retrieval.Direct {
			t.Errorf("%q routed directly to %s", text, res.Candidates[0].Service.ID)
		}
	}
	for text, want := range map[string]string{
		"pension abhi tak nahi aaya": "pension-status",
		"నా పెన్షన్ ఇంకా రాలేదు":     "pension-status",
		"amma ki pension kavali":     "old-age-pension",
		"ration card status chudali": "rice-card-status",
		"मकान का बिल नहीं आया":       "housing-beneficiary-status",
	} {
		res, err := e.Match(context.Background(), text, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) == 0 || res.Candidates[0].Service.ID != want {
			t.Errorf("%q: first %v, want %s", text, res.Candidates, want)
		}
	}
}

// BenchmarkMatch matches the eval suites' texts one at a time, over the
// shipped catalogue and over one synthesised to the state's 738 services
// (as `mitra bench --services 738` does), where copies of a service share
// its words.
func BenchmarkMatch(b *testing.B) {
	shipped, cases := benchEngine(b)
	for _, n := range []int{len(shipped.Catalog().Services), 738} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			e := shipped
			if n != len(shipped.Catalog().Services) {
				e = testenv.SynthesizedEngine(b, n)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.Match(ctx, cases[i%len(cases)].Text, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatchConcurrent matches from 8 goroutines a core, as a
// server's process workers do: each holds a match's working memory at
// once, so that memory's size shows here as cache misses.
func BenchmarkMatchConcurrent(b *testing.B) {
	e, cases := benchEngine(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Match(ctx, cases[int(next.Add(1))%len(cases)].Text, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func benchEngine(b *testing.B) (*retrieval.Engine, []evals.Case) {
	e := testenv.Engine(b)
	cases, err := evals.LoadSuites(evals.EmbeddedSuites(), e.Catalog())
	if err != nil {
		b.Fatal(err)
	}
	return e, cases
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"naaku income certificate kavali", "రేషన్ కార్డు", "राशन कार्ड", "", "\xff", "1", "🙏", "పాస్\u200cబుక్"} {
		f.Add(s)
	}
	e := testenv.Engine(f)
	f.Fuzz(func(t *testing.T, text string) {
		res, err := e.Match(context.Background(), text, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) > retrieval.MaxCandidates {
			t.Fatalf("%d candidates", len(res.Candidates))
		}
		if res.Decision == retrieval.Direct && len(res.Candidates) == 0 {
			t.Fatal("direct without a candidate")
		}
		for i := 1; i < len(res.Candidates); i++ {
			if res.Candidates[i].Score > res.Candidates[i-1].Score {
				t.Fatal("candidates not sorted")
			}
		}
		switch res.Analysis.Lang {
		case catalog.Telugu, catalog.Hindi, catalog.English:
		default:
			t.Fatalf("lang %q", res.Analysis.Lang)
		}
	})
}

// What a message wants to do is read apart from which service: the
// intent, and for a follow-up the family's status check first; a message
// about no service gets the menu, not a list.
func TestIntentAndOutOfScope(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	ctx := context.Background()
	for text, want := range map[string]catalog.Intent{
		"naaku rice card kavali":                   catalog.IntentApply,
		"rice card ki apply chesam inka raledu":    catalog.IntentStatus,
		"street light complaint":                   catalog.IntentComplain,
		"current bill kattali":                     catalog.IntentPay,
		"ttd darshan ticket booking":               catalog.IntentBook,
		"voter card lo peru tappu undi correction": catalog.IntentCorrect,
		"rice card surrender cheyali":              catalog.IntentCancel,
		"आवेदन किया था तीन महीने हो गए अभी तक कुछ नहीं": catalog.IntentStatus,
		// "नहीं रहे" is "passed away", not "not yet".
		"मेरे पति नहीं रहे, विधवा पेंशन का फॉर्म कहाँ भरें": "",
	} {
		res, err := e.Match(ctx, text, "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Intent != want {
			t.Errorf("%q: intent %q, want %q", text, res.Intent, want)
		}
	}
	res, _ := e.Match(ctx, "I applied for the diesel subsidy for our fishing boat, still not approved", "")
	if len(res.Candidates) == 0 || res.Candidates[0].Service.Kind != "status" || res.Decision == retrieval.Direct {
		t.Errorf("a follow-up: %s first (%s)", res.Candidates[0].Service.ID, res.Decision)
	}
	for _, text := range []string{"capital of france", "how many calories in one masala dosa"} {
		res, _ := e.Match(ctx, text, "")
		if res.Decision != retrieval.Menu {
			t.Errorf("%q: %s, want the menu", text, res.Decision)
		}
	}
	for _, text := range []string{"gold rate today hyderabad", "biryani recipe cheppu", "ipl schedule", "मोबाइल रिचार्ज करना है"} {
		res, _ := e.Match(ctx, text, "")
		if res.Decision != retrieval.Menu || !res.OutOfScope {
			t.Errorf("%q: %s (out of scope %v), want the menu", text, res.Decision, res.OutOfScope)
		}
	}
	// A word of a topic served elsewhere does not hide a service the
	// message asks for, but the service is confirmed, not assumed.
	res, _ = e.Match(ctx, "train lo naa phone pogottukunnanu police complaint ivvali", "")
	if res.OutOfScope || res.Decision != retrieval.Choose || len(res.Candidates) == 0 || res.Candidates[0].Service.Department != "police" {
		t.Errorf("lost on the train: %s, %v", res.Decision, res.Candidates)
	}
}

// The intent picks the member of the best match's family: the status
// check for a follow-up, the deletion for a removal; a follow-up on a
// service with no status check in its family stays on the service.
func TestFamilyMemberForIntent(t *testing.T) {
	t.Parallel()
	e := testenv.Engine(t)
	for _, tt := range []struct{ text, want string }{
		{"rashan card apply kiya tha do mahine pehle abhi tak nahi aaya", "rice-card-status"},
		{"Sent the CM relief fund application 4 months ago, no money yet", "cmrf-application-status"},
		{"राशन कार्ड से मरे हुए आदमी का नाम हटाना है", "rice-card-member-deletion"},
		{"I applied for a new gas connection six weeks ago and heard nothing", "deepam-gas-connection"},
		{"pension kosam apply chesi moodu nelalu ayindi inka raledu", "pension-status"},
	} {
		res, err := e.Match(context.Background(), tt.text, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) == 0 || res.Candidates[0].Service.ID != tt.want {
			t.Errorf("%q: %v, want %s first", tt.text, res.Candidates, tt.want)
			continue
		}
		if res.Candidates[0].Sibling && res.Decision == retrieval.Direct {
			t.Errorf("%q: an inferred family member was routed without asking", tt.text)
		}
	}
}
