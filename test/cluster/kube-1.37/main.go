// Command cikube is one multi-call binary holding the Kubernetes components the local test
// cluster needs (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kubectl) plus
// an embedded single-member etcd 3.7, so that a real cluster can be built from the Go module
// proxy alone: no release downloads, no Docker.
//
// Usage: cikube <component> [flags], or call it through a symlink named after the component.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	kubectl "k8s.io/kubectl/pkg/cmd"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcm "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	name, args := filepath.Base(os.Args[0]), os.Args[1:]
	if name == "cikube" {
		if len(args) == 0 {
			fmt.Fprintln(os.Stderr, "usage: cikube kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kubectl|etcd [flags]")
			os.Exit(2)
		}
		name, args = args[0], args[1:]
	}
	var cmd *cobra.Command
	switch name {
	case "kube-apiserver":
		cmd = apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		cmd = kcm.NewControllerManagerCommand()
	case "kube-scheduler":
		cmd = scheduler.NewSchedulerCommand()
	case "kubelet":
		cmd = kubelet.NewKubeletCommand(context.Background())
	case "kubectl":
		cmd = kubectl.NewDefaultKubectlCommand()
	case "etcd":
		runEtcd(args)
		return
	default:
		fmt.Fprintf(os.Stderr, "cikube: unknown component %q\n", name)
		os.Exit(2)
	}
	cmd.SetArgs(args)
	os.Exit(cli.Run(cmd))
}

// runEtcd runs a single-member etcd on loopback. args[0] is the data directory. The server is
// the same 3.6 line as the apiserver's etcd client, which avoids the feature downgrades the
// apiserver applies to Debian's etcd 3.4.
func runEtcd(args []string) {
	dir := "/var/lib/pod-birth-etcd"
	if len(args) > 0 {
		dir = args[0]
	}
	client, _ := url.Parse("http://127.0.0.1:2379")
	peer, _ := url.Parse("http://127.0.0.1:2380")
	metrics, _ := url.Parse("http://127.0.0.1:2381")
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = "ci", dir
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.ListenMetricsUrls = []url.URL{*metrics}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.QuotaBackendBytes = 1 << 30
	cfg.AutoCompactionMode = "periodic"
	cfg.AutoCompactionRetention = "1h"
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd:", err)
		os.Exit(1)
	}
	<-e.Server.ReadyNotify()
	fmt.Fprintln(os.Stderr, "etcd: ready on", client.String())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-e.Err():
		fmt.Fprintln(os.Stderr, "etcd:", err)
		os.Exit(1)
	case <-sig:
		e.Close()
		os.Exit(0)
	}
}
