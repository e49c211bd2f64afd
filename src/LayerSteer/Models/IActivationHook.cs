namespace LayerSteer.Models;

/// <summary>Reads or edits activations during a forward pass: the site (o_proj input, [rows, site width])
/// of a layer, and the residual stream after a layer ([rows, hidden]).</summary>
public interface IActivationHook
{
    void AtSite(int layer, Span<float> site, RowLayout rows) { }
    void AfterLayer(int layer, Span<float> residual, RowLayout rows) { }
}
