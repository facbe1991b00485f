package solvers

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pkg/errors"
	"github.com/schollz/progressbar/v3"
)

// progress draws one bar per epoch with loss, accuracy, images/s and ETA.
// schollz/progressbar is a small, maintained, dependency-light bar that
// handles throttling, terminal width and ETA; a nil writer draws nothing.
type progress struct {
	w       io.Writer
	batches int
	bar     *progressbar.ProgressBar
}

func newProgress(w io.Writer, batches int) *progress { return &progress{w: w, batches: batches} }

func (p *progress) startEpoch(epoch, epochs, start int) {
	if p.w == nil {
		return
	}
	p.bar = progressbar.NewOptions(p.batches,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(20),
		progressbar.OptionClearOnFinish(),
	)
	_ = p.bar.Set(start)
}

func (p *progress) update(batch int, s EpochStats) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("epoch %d loss %.4f acc %.4f %5.0f img/s", s.Epoch, s.TrainLoss, s.TrainAcc, s.ImagesPerSec))
	_ = p.bar.Set(batch)
}

func (p *progress) epochDone(s EpochStats) {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	fmt.Fprintf(p.w, "epoch %d: train loss %.4f acc %.4f | test loss %.4f acc %.4f | lr %.3g | %.0f img/s, %.1fs\n",
		s.Epoch, s.TrainLoss, s.TrainAcc, s.TestLoss, s.TestAcc, s.LR, s.ImagesPerSec, s.Seconds)
}

// appendLog adds one JSON line to the metrics log at path ("" for none).
func appendLog(path string, s EpochStats) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return errors.Wrap(err, "metrics log")
	}
	line, err := json.Marshal(s)
	if err != nil {
		f.Close()
		return errors.Wrap(err, "metrics log")
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return errors.Wrap(err, "metrics log")
	}
	return errors.Wrap(f.Close(), "metrics log")
}
