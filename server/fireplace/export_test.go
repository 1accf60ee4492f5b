package fireplace

// Resync runs what a bus reconnection runs (cluster.go) and waits for it.
func Resync(g *Gateway) {
	peers{g}.Resync()
	g.resyncWG.Wait()
}
