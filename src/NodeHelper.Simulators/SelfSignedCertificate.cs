using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NodeHelper.Simulators;

/// <summary>The kind of certificate a node's own electrs or nginx serves: self-signed, for localhost and 127.0.0.1.</summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        // Valid from before now and before its end, so an already expired certificate can be made too.
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1) < notAfter.AddDays(-1) ? DateTimeOffset.UtcNow.AddDays(-1) : notAfter.AddDays(-1);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
